using System.ComponentModel.DataAnnotations;

namespace Domu;

/// <summary>How Domu labels what it exports (configuration section <c>Metrics</c>).</summary>
public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>
    /// How many intents get their own row and label; the rest are folded into <c>other</c>, so a
    /// client that invents intents cannot grow the series count without bound.
    /// </summary>
    [Range(1, 1000)]
    public int MaxIntents { get; set; } = 20;
}
