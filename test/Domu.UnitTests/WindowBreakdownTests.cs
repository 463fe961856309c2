using Domu.Grains;

namespace Domu.UnitTests;

/// <summary>Percentiles, per-intent rows and window metadata, checked against independent computations.</summary>
public sealed class WindowBreakdownTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    private static VoiceEvent Event(double latencyMs, string intent = "BookFlight", bool success = true, double confidence = 0.9) =>
        new(T0, "s", intent, latencyMs, success, confidence);

    /// <summary>Nearest rank computed the textbook way, in decimal so that 0.95 × n is exact.</summary>
    private static double Expected(IEnumerable<double> values, decimal p)
    {
        var sorted = values.Order().ToArray();
        var rank = (int)Math.Ceiling(p * sorted.Length);
        return sorted[Math.Max(rank, 1) - 1];
    }

    [Fact]
    public void A_thousand_known_latencies_give_the_exact_percentiles()
    {
        var random = new Random(20261203);
        // Millisecond values with three decimals, so microsecond storage holds them exactly.
        var latencies = Enumerable.Range(0, 1000).Select(_ => random.Next(1, 5_000_000) / 1000.0).ToList();
        var window = new MetricsWindow(FiveMinutes, 0);
        foreach (var latency in latencies)
        {
            window.Add(Event(latency), T0);
        }

        var report = window.Report(T0);

        Assert.Equal(Expected(latencies, 0.50m), report.P50LatencyMs);
        Assert.Equal(Expected(latencies, 0.90m), report.P90LatencyMs);
        Assert.Equal(Expected(latencies, 0.95m), report.P95LatencyMs);
        Assert.Equal(Expected(latencies, 0.99m), report.P99LatencyMs);
        Assert.Equal(latencies.Max(), report.MaxLatencyMs);
    }

    [Theory]
    [InlineData(1, 500, 1)]
    [InlineData(1, 990, 1)]
    [InlineData(100, 500, 50)]
    [InlineData(100, 950, 95)]
    [InlineData(100, 990, 99)]
    [InlineData(101, 500, 51)]
    [InlineData(20, 950, 19)]
    [InlineData(30, 990, 30)]
    public void Nearest_rank_picks_the_smallest_value_covering_the_share(int count, int perMille, long expected)
    {
        var values = Enumerable.Range(1, count).Select(i => (long)i).ToArray();

        Assert.Equal(expected, MetricsWindow.NearestRank(values, perMille));
    }

    [Fact]
    public void Percentiles_follow_the_window_as_events_leave()
    {
        var window = new MetricsWindow(FiveMinutes, 3);
        window.Add(Event(1000), T0);
        window.Add(Event(10), T0);
        window.Add(Event(20), T0);
        Assert.Equal(1000, window.Report(T0).MaxLatencyMs);

        window.Add(Event(30), T0); // pushes out the 1000 ms event

        var report = window.Report(T0);
        Assert.Equal(30, report.MaxLatencyMs);
        Assert.Equal(20, report.P50LatencyMs);
        Assert.Equal(30, report.P99LatencyMs);
    }

    [Fact]
    public void Intent_rows_hold_each_intents_exact_figures_most_frequent_first()
    {
        var window = new MetricsWindow(FiveMinutes, 0);
        window.Add(Event(100, "Cancel", success: false, confidence: 0.5), T0);
        window.Add(Event(300, "Cancel", success: true, confidence: 0.7), T0);
        for (var i = 1; i <= 20; i++)
        {
            window.Add(Event(i * 10, "BookFlight", success: i != 7, confidence: 0.9), T0);
        }

        var rows = window.Report(T0).Intents;

        Assert.Equal(["BookFlight", "Cancel"], rows.Select(r => r.Intent));
        Assert.Equal(new IntentReport("BookFlight", 20, 0.05, 105, 190, 0.9), rows[0]);
        Assert.Equal(new IntentReport("Cancel", 2, 0.5, 200, 300, 0.6), rows[1]);
    }

    [Fact]
    public void Intents_beyond_the_top_k_are_folded_into_other()
    {
        var window = new MetricsWindow(FiveMinutes, 0, maxIntents: 2);
        // Volumes: D 4, B 3, C 2 (latency 50, 150), A 1 (latency 1000, failed).
        foreach (var (intent, times) in new[] { ("A", 1), ("B", 3), ("C", 2), ("D", 4) })
        {
            for (var i = 0; i < times; i++)
            {
                window.Add(intent switch
                {
                    "A" => Event(1000, "A", success: false, confidence: 0.4),
                    "C" => Event(i == 0 ? 50 : 150, "C", confidence: 0.7),
                    _ => Event(100, intent),
                }, T0);
            }
        }

        var rows = window.Report(T0).Intents;

        Assert.Equal(["D", "B", IntentReport.Other], rows.Select(r => r.Intent));
        // other = C (50, 150) + A (1000): 3 events, one failed, mean 400 ms, p95 1000 ms, mean confidence 0.6.
        Assert.Equal(new IntentReport(IntentReport.Other, 3, 0.333, 400, 1000, 0.6), rows[2]);
        Assert.Equal(10, rows.Sum(r => r.Count));
    }

    [Fact]
    public void An_intent_named_other_is_counted_in_the_one_other_row()
    {
        var window = new MetricsWindow(FiveMinutes, 0, maxIntents: 2);
        // "other" is the most frequent intent, yet it takes no top-K place: A and B keep theirs.
        foreach (var voiceEvent in new[]
                 {
                     Event(100, "other"), Event(100, "other"), Event(100, "other"),
                     Event(200, "A", success: false), Event(200, "A"), Event(300, "B"), Event(400, "C", success: false),
                 })
        {
            window.Add(voiceEvent, T0);
        }

        var rows = window.Report(T0).Intents;

        Assert.Equal(["A", "B", IntentReport.Other], rows.Select(r => r.Intent));
        // other = "other" (3 × 100 ms) + C (400 ms, failed): 4 events, mean 175 ms, p95 400 ms.
        Assert.Equal(new IntentReport(IntentReport.Other, 4, 0.25, 175, 400, 0.9), rows[2]);
        Assert.Equal(7, rows.Sum(r => r.Count));
    }

    [Fact]
    public void An_intent_named_other_within_the_budget_is_still_one_row()
    {
        var window = new MetricsWindow(FiveMinutes, 0, maxIntents: 20);
        window.Add(Event(100, "other"), T0);
        window.Add(Event(300, "A"), T0);
        window.Add(Event(300, "A"), T0);

        var rows = window.Report(T0).Intents;

        Assert.Equal(["A", IntentReport.Other], rows.Select(r => r.Intent));
        Assert.Equal(new IntentReport(IntentReport.Other, 1, 0, 100, 100, 0.9), rows[1]);
    }

    [Fact]
    public void Ties_in_volume_are_ranked_by_name_so_reports_are_stable()
    {
        var window = new MetricsWindow(FiveMinutes, 0, maxIntents: 2);
        foreach (var intent in new[] { "Zeta", "Alpha", "Mid" })
        {
            window.Add(Event(100, intent), T0);
        }

        Assert.Equal(["Alpha", "Mid", IntentReport.Other], window.Report(T0).Intents.Select(r => r.Intent));
    }

    [Fact]
    public void Window_metadata_gives_the_settings_and_the_oldest_events_age()
    {
        var window = new MetricsWindow(FiveMinutes, 30);
        Assert.Equal(new WindowInfo(300, 30, 0), window.Report(T0).Window);

        window.Add(Event(100), T0);
        window.Add(Event(100), T0.AddSeconds(10));

        Assert.Equal(new WindowInfo(300, 30, 42.5), window.Report(T0.AddSeconds(42.5)).Window);
    }

    [Fact]
    public void An_empty_window_has_zero_percentiles_and_no_rows()
    {
        var report = new MetricsWindow(FiveMinutes, 30).Report(T0);

        Assert.Equal(0, report.P50LatencyMs);
        Assert.Equal(0, report.MaxLatencyMs);
        Assert.Empty(report.Intents);
    }

    [Fact]
    public void A_cached_report_is_refreshed_after_every_change()
    {
        var window = new MetricsWindow(FiveMinutes, 0);
        window.Add(Event(100), T0);
        Assert.Equal(100, window.Report(T0).MaxLatencyMs);

        window.Add(Event(200, "Other"), T0);
        Assert.Equal(200, window.Report(T0).MaxLatencyMs);
        Assert.Equal(2, window.Report(T0).Intents.Count);

        window.Evict(T0.AddMinutes(6));
        Assert.Equal(0, window.Report(T0.AddMinutes(6)).TotalEvents);
        Assert.Empty(window.Report(T0.AddMinutes(6)).Intents);
    }
}
