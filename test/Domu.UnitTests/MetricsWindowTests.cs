using Domu.Grains;

namespace Domu.UnitTests;

public sealed class MetricsWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan FiveMinutes = TimeSpan.FromMinutes(5);

    private static VoiceEvent Event(double latencyMs, bool success = true, double confidence = 0.9) =>
        new(new DateTimeOffset(2024, 1, 15, 10, 30, 0, TimeSpan.Zero), "s", "BookFlight", latencyMs, success, confidence);

    private static SeedFigures Seed(MetricsWindow window)
    {
        var report = window.Report(T0);
        return new SeedFigures(report.TotalEvents, report.AvgLatencyMs, report.ErrorRate, report.AvgConfidence);
    }

    [Fact]
    public void An_empty_window_reports_exact_zeros()
    {
        var window = new MetricsWindow(FiveMinutes, 30);

        Assert.Equal(new SeedFigures(0, 0, 0, 0), Seed(window));
    }

    [Fact]
    public void One_event_reports_its_own_figures()
    {
        var window = new MetricsWindow(FiveMinutes, 30);

        window.Add(Event(250, true, 0.95), T0);

        Assert.Equal(new SeedFigures(1, 250, 0, 0.95), Seed(window));
    }

    [Fact]
    public void Fifteen_known_events_give_the_exact_averages()
    {
        var window = new MetricsWindow(FiveMinutes, 30);
        for (var i = 0; i < 15; i++)
        {
            window.Add(Event(100 * (i + 1), success: i % 5 != 4, confidence: Math.Round(0.5 + (0.03 * i), 2)), T0);
        }

        Assert.Equal(new SeedFigures(15, 800, 0.2, 0.71), Seed(window));
    }

    [Fact]
    public void Rounding_is_half_away_from_zero_on_the_exact_value()
    {
        // 1.005 and 0.0125 are not representable as doubles; Math.Round on doubles would give 1 and 0.012.
        var window = new MetricsWindow(FiveMinutes, 30);
        window.Add(Event(1.005, true, 0.012), T0);
        window.Add(Event(1.005, false, 0.013), T0);
        window.Add(Event(1.005, true, 0.0125), T0);

        var report = window.Report(T0);

        Assert.Equal(1.01, report.AvgLatencyMs);
        Assert.Equal(0.333, report.ErrorRate);
        Assert.Equal(0.013, report.AvgConfidence);
    }

    [Fact]
    public void Two_thirds_error_rate_rounds_to_three_places()
    {
        var window = new MetricsWindow(FiveMinutes, 30);
        window.Add(Event(100, false), T0);
        window.Add(Event(200, false), T0);
        window.Add(Event(201, true), T0);

        Assert.Equal(new SeedFigures(3, 167, 0.667, 0.9), Seed(window));
    }

    [Fact]
    public void Only_the_most_recent_events_up_to_the_cap_count()
    {
        var window = new MetricsWindow(FiveMinutes, 30);
        for (var i = 1; i <= 31; i++)
        {
            window.Add(Event(i), T0.AddSeconds(i));
        }

        // Events 2..31 remain: mean latency 16.5.
        Assert.Equal(30, window.Count);
        Assert.Equal(16.5, window.Report(T0).AvgLatencyMs);
    }

    [Fact]
    public void A_cap_of_zero_keeps_every_event_inside_the_duration()
    {
        var window = new MetricsWindow(FiveMinutes, 0);
        for (var i = 0; i < 1000; i++)
        {
            window.Add(Event(i), T0);
        }

        Assert.Equal(1000, window.Report(T0).TotalEvents);
        Assert.Equal(499.5, window.Report(T0).AvgLatencyMs);
    }

    [Fact]
    public void An_event_counts_until_it_is_older_than_the_duration()
    {
        var window = new MetricsWindow(FiveMinutes, 30);
        window.Add(Event(100), T0);
        window.Add(Event(300), T0.AddMinutes(1));

        Assert.Equal(0, window.Evict(T0 + FiveMinutes));
        Assert.Equal(2, window.Count);

        Assert.Equal(1, window.Evict(T0 + FiveMinutes + TimeSpan.FromTicks(1)));
        Assert.Equal(new SeedFigures(1, 300, 0, 0.9), Seed(window));

        Assert.Equal(1, window.Evict(T0.AddMinutes(7)));
        Assert.Equal(default, Seed(window));
    }

    [Fact]
    public void The_client_timestamp_does_not_decide_membership()
    {
        var window = new MetricsWindow(FiveMinutes, 30);
        var fromTheFuture = Event(100) with { Timestamp = T0.AddYears(10) };
        window.Add(Event(100), T0); // a 2024 timestamp, arriving now
        window.Add(fromTheFuture, T0);

        window.Evict(T0.AddMinutes(4));
        Assert.Equal(2, window.Count);

        window.Evict(T0.AddMinutes(6));
        Assert.Equal(0, window.Count);
    }

    [Theory]
    [InlineData(30, 5)]
    [InlineData(0, 5)]
    [InlineData(7, 1)]
    public void A_million_random_steps_keep_the_running_sums_exact(int maxEvents, int durationMinutes)
    {
        var random = new Random(20261203 + maxEvents + durationMinutes);
        var duration = TimeSpan.FromMinutes(durationMinutes);
        var window = new MetricsWindow(duration, maxEvents);
        var model = new Queue<(long Arrival, long Micros, long Billionths, bool Success)>();
        var now = T0;

        for (var step = 0; step < 1_000_000; step++)
        {
            if (random.NextDouble() < 0.7)
            {
                // Latencies from 0.1 ms to 600,000 ms: six and a half orders of magnitude.
                var latency = Math.Round(Math.Pow(10, -1 + (random.NextDouble() * 6.778)), random.Next(0, 7));
                var confidence = random.NextDouble();
                var success = random.NextDouble() < 0.9;
                window.Add(Event(latency, success, confidence), now);
                model.Enqueue((now.UtcTicks, MetricsWindow.ToMicros(latency), MetricsWindow.ToBillionths(confidence), success));
                while (maxEvents > 0 && model.Count > maxEvents)
                {
                    model.Dequeue();
                }
            }
            else
            {
                window.Evict(now);
                while (model.Count > 0 && model.Peek().Arrival < (now - duration).UtcTicks)
                {
                    model.Dequeue();
                }
            }

            now = now.AddMilliseconds(random.Next(0, random.NextDouble() < 0.001 ? 400_000 : 2_000));

            if (step % 1009 == 0)
            {
                Assert.Equal(ModelSums(model), window.Sums);
                Assert.Equal(window.Recompute(), window.Sums);
                Assert.Equal(ModelSums(model).ToSeedFigures(), Seed(window));
            }
        }

        Assert.Equal(ModelSums(model), window.Sums);

        window.Evict(now + duration + TimeSpan.FromTicks(1));
        Assert.Equal(new WindowSums(0, 0, 0, 0), window.Sums);
        Assert.Equal(new SeedFigures(0, 0, 0, 0), Seed(window));
    }

    [Fact]
    public void Quantisation_keeps_latency_to_the_microsecond_and_confidence_to_a_billionth()
    {
        Assert.Equal(250_000, MetricsWindow.ToMicros(250));
        Assert.Equal(1, MetricsWindow.ToMicros(0.0005));
        Assert.Equal(600_000_000, MetricsWindow.ToMicros(600_000));
        Assert.Equal(950_000_000, MetricsWindow.ToBillionths(0.95));
        Assert.Equal(1_000_000_000, MetricsWindow.ToBillionths(1));
    }

    [Fact]
    public void A_burst_buffer_is_given_back_once_the_window_empties()
    {
        var window = new MetricsWindow(FiveMinutes, 0);
        for (var i = 0; i < 100_000; i++)
        {
            window.Add(Event(1), T0);
        }
        var before = GC.GetTotalMemory(forceFullCollection: true);

        window.Evict(T0.AddMinutes(6));
        var after = GC.GetTotalMemory(forceFullCollection: true);

        Assert.Equal(0, window.Count);
        Assert.True(before - after > 1_000_000, $"expected the ~3 MB buffer back; heap went from {before} to {after}");
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(30, 3)]
    [InlineData(300, 10)]
    [InlineData(3600, 10)]
    public void The_eviction_timer_runs_a_tenth_of_the_window_between_one_and_ten_seconds(int windowSeconds, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), MetricsWindowGrain.EvictionPeriod(TimeSpan.FromSeconds(windowSeconds)));

    private static WindowSums ModelSums(IEnumerable<(long Arrival, long Micros, long Billionths, bool Success)> events)
    {
        Int128 micros = 0, billionths = 0;
        int count = 0, successes = 0;
        foreach (var e in events)
        {
            count++;
            micros += e.Micros;
            billionths += e.Billionths;
            successes += e.Success ? 1 : 0;
        }
        return new WindowSums(count, micros, successes, billionths);
    }
}
