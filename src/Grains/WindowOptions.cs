using System.ComponentModel.DataAnnotations;

namespace Domu.Grains;

/// <summary>Retention of the metrics window (configuration section <c>Window</c>).</summary>
public sealed class WindowOptions
{
    public const string Section = "Window";

    /// <summary>How long an event counts after it arrives.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan Duration { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How many of the most recent events count at most; 0 means no count cap.</summary>
    [Range(0, 1_000_000)]
    public int MaxEvents { get; set; } = 30;
}
