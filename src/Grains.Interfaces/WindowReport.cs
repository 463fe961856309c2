namespace Domu;

/// <summary>
/// The figures over the events currently in the window. The first four are the seed's, rounded as
/// the contract says (latency to 2 decimals, error rate and confidence to 3); the percentiles are
/// exact nearest-rank values of the latencies held (microsecond resolution); <see cref="Intents"/>
/// breaks the window down by intent. An empty window reports zeros and no intents.
/// </summary>
[GenerateSerializer, Immutable, Alias("Domu.WindowReport")]
public sealed record WindowReport(
    [property: Id(0)] int TotalEvents,
    [property: Id(1)] double AvgLatencyMs,
    [property: Id(2)] double ErrorRate,
    [property: Id(3)] double AvgConfidence,
    [property: Id(4)] double P50LatencyMs,
    [property: Id(5)] double P90LatencyMs,
    [property: Id(6)] double P95LatencyMs,
    [property: Id(7)] double P99LatencyMs,
    [property: Id(8)] double MaxLatencyMs,
    [property: Id(9)] IReadOnlyList<IntentReport> Intents,
    [property: Id(10)] WindowInfo Window);

/// <summary>
/// One intent's share of the window. Intents beyond the most frequent Metrics:MaxIntents are summed
/// into one row named <see cref="Other"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Domu.IntentReport")]
public sealed record IntentReport(
    [property: Id(0)] string Intent,
    [property: Id(1)] int Count,
    [property: Id(2)] double ErrorRate,
    [property: Id(3)] double AvgLatencyMs,
    [property: Id(4)] double P95LatencyMs,
    [property: Id(5)] double AvgConfidence)
{
    /// <summary>The row that holds every intent beyond the top K by volume.</summary>
    public const string Other = "other";
}

/// <summary>What the window is: its retention settings, and how old its oldest event is (0 when empty).</summary>
[GenerateSerializer, Immutable, Alias("Domu.WindowInfo")]
public sealed record WindowInfo(
    [property: Id(0)] double DurationSeconds,
    [property: Id(1)] int MaxEvents,
    [property: Id(2)] double OldestEventAgeSeconds);
