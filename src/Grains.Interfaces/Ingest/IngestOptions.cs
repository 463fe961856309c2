using System.ComponentModel.DataAnnotations;

namespace Domu.Ingest;

/// <summary>Input limits of <c>POST /ingest</c> (configuration section <c>Ingest</c>).</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>Largest accepted request body, in bytes.</summary>
    [Range(256, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = 16384;

    /// <summary>Largest accepted latencyMs; at most one day.</summary>
    [Range(1, 86_400_000)]
    public double MaxLatencyMs { get; set; } = 600_000;

    /// <summary>How far ahead of the server clock a timestamp may lie.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan MaxClockSkew { get; set; } = TimeSpan.FromMinutes(5);
}
