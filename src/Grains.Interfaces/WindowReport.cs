namespace Domu;

/// <summary>
/// The seed's four figures over the events currently in the window, rounded as the contract says:
/// latency to 2 decimals, error rate and confidence to 3. An empty window reports zeros.
/// </summary>
[GenerateSerializer, Immutable, Alias("Domu.WindowReport")]
public sealed record WindowReport(
    [property: Id(0)] int TotalEvents,
    [property: Id(1)] double AvgLatencyMs,
    [property: Id(2)] double ErrorRate,
    [property: Id(3)] double AvgConfidence)
{
    public static readonly WindowReport Empty = new(0, 0, 0, 0);
}
