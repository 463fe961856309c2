namespace Domu.Testing;

/// <summary>The seed's four figures of a report, compared by value.</summary>
public readonly record struct Seed(int TotalEvents, double AvgLatencyMs, double ErrorRate, double AvgConfidence);

public static class ReportSeedExtensions
{
    public static Seed Seed(this WindowReport report) =>
        new(report.TotalEvents, report.AvgLatencyMs, report.ErrorRate, report.AvgConfidence);
}
