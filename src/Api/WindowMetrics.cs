using Domu.Hosting;
using Prometheus;

namespace Domu.Api;

/// <summary>
/// The window's gauges, read from the window grain at every scrape of the Api's <c>/metrics</c>.
/// Only the Api exports them (silos export their own counters), so each Api instance shows the one
/// window once.
/// </summary>
internal sealed class WindowMetrics
{
    public WindowMetrics(CollectorRegistry registry, IMetricFactory factory, IGrainFactory grains, ClusterReadiness readiness)
    {
        var gauges = new WindowGauges(factory);
        // Concurrent scrapes each refresh the gauges; one at a time, so a scrape never sees another's
        // half-applied set of intents.
        var refresh = new SemaphoreSlim(1, 1);

        registry.AddBeforeCollectCallback(async cancellationToken =>
        {
            if (!readiness.IsReady)
            {
                throw new ScrapeFailedException("Orleans is not up yet; the window cannot be read.");
            }

            WindowReport report;
            try
            {
                report = await grains.GetGrain<IMetricsWindowGrain>(IMetricsWindowGrain.DefaultKey).GetReportAsync()
                    .AsTask().WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                throw new ScrapeFailedException($"The window could not be read: {ex.Message}", ex);
            }

            await refresh.WaitAsync(cancellationToken);
            try
            {
                gauges.Set(report);
            }
            finally
            {
                refresh.Release();
            }
        });
    }
}

/// <summary>
/// The window's figures as gauges: the seed's four (names fixed by the seed), the latency percentiles
/// and maximum, the window's settings and oldest event age, and one row of gauges per intent, whose
/// label sets follow the window (an intent that leaves it leaves the exposition).
/// </summary>
internal sealed class WindowGauges
{
    private readonly Gauge _events, _latencyAvg, _errorRate, _confidence;
    private readonly Gauge _p50, _p90, _p95, _p99, _latencyMax, _duration, _maxEvents, _oldestAge;
    private readonly Gauge _intentEvents, _intentErrorRatio, _intentLatencyAvg, _intentLatencyP95, _intentConfidence;
    private HashSet<string> _intents = new(StringComparer.Ordinal);

    public WindowGauges(IMetricFactory factory)
    {
        _events = factory.CreateGauge("voice_events_total", "Number of events in the current window (a gauge: the name predates Domu and is kept for compatibility).");
        _latencyAvg = factory.CreateGauge("voice_latency_ms_avg", "Mean latencyMs over the window, in milliseconds (the seed's name and unit).");
        _errorRate = factory.CreateGauge("voice_error_rate", "Share of failed interactions in the window (0-1).");
        _confidence = factory.CreateGauge("voice_confidence_avg", "Mean recogniser confidence over the window (0-1).");
        // One gauge per percentile: a "quantile" label is reserved for summaries.
        _p50 = factory.CreateGauge("domu_window_latency_p50_seconds", "Median latency over the window (exact, nearest rank), in seconds.");
        _p90 = factory.CreateGauge("domu_window_latency_p90_seconds", "90th percentile latency over the window (exact, nearest rank), in seconds.");
        _p95 = factory.CreateGauge("domu_window_latency_p95_seconds", "95th percentile latency over the window (exact, nearest rank), in seconds.");
        _p99 = factory.CreateGauge("domu_window_latency_p99_seconds", "99th percentile latency over the window (exact, nearest rank), in seconds.");
        _latencyMax = factory.CreateGauge("domu_window_latency_max_seconds", "Largest latency in the window, in seconds.");
        _duration = factory.CreateGauge("domu_window_duration_seconds", "How long an event stays in the window (Window:Duration).");
        _maxEvents = factory.CreateGauge("domu_window_max_events", "Most events the window holds (Window:MaxEvents; 0 means no cap).");
        _oldestAge = factory.CreateGauge("domu_window_oldest_event_age_seconds", "Age of the oldest event in the window, in seconds (0 when empty).");
        string[] intent = ["intent"];
        _intentEvents = factory.CreateGauge("domu_window_intent_events", "Events in the window, by intent (top Metrics:MaxIntents, the rest as other).", intent);
        _intentErrorRatio = factory.CreateGauge("domu_window_intent_error_ratio", "Share of failed interactions in the window, by intent (0-1).", intent);
        _intentLatencyAvg = factory.CreateGauge("domu_window_intent_latency_avg_seconds", "Mean latency in the window, by intent, in seconds.", intent);
        _intentLatencyP95 = factory.CreateGauge("domu_window_intent_latency_p95_seconds", "Exact nearest-rank p95 latency in the window, by intent, in seconds.", intent);
        _intentConfidence = factory.CreateGauge("domu_window_intent_confidence_avg", "Mean recogniser confidence in the window, by intent (0-1).", intent);
    }

    public void Set(WindowReport report)
    {
        _events.Set(report.TotalEvents);
        _latencyAvg.Set(report.AvgLatencyMs);
        _errorRate.Set(report.ErrorRate);
        _confidence.Set(report.AvgConfidence);
        _p50.Set(Seconds(report.P50LatencyMs));
        _p90.Set(Seconds(report.P90LatencyMs));
        _p95.Set(Seconds(report.P95LatencyMs));
        _p99.Set(Seconds(report.P99LatencyMs));
        _latencyMax.Set(Seconds(report.MaxLatencyMs));
        _duration.Set(report.Window.DurationSeconds);
        _maxEvents.Set(report.Window.MaxEvents);
        _oldestAge.Set(report.Window.OldestEventAgeSeconds);

        var current = new HashSet<string>(StringComparer.Ordinal);
        foreach (var row in report.Intents)
        {
            current.Add(row.Intent);
            _intentEvents.WithLabels(row.Intent).Set(row.Count);
            _intentErrorRatio.WithLabels(row.Intent).Set(row.ErrorRate);
            _intentLatencyAvg.WithLabels(row.Intent).Set(Seconds(row.AvgLatencyMs));
            _intentLatencyP95.WithLabels(row.Intent).Set(Seconds(row.P95LatencyMs));
            _intentConfidence.WithLabels(row.Intent).Set(row.AvgConfidence);
        }
        foreach (var gone in _intents.Where(intent => !current.Contains(intent)))
        {
            foreach (var gauge in new[] { _intentEvents, _intentErrorRatio, _intentLatencyAvg, _intentLatencyP95, _intentConfidence })
            {
                gauge.RemoveLabelled(gone);
            }
        }
        _intents = current;
    }

    private static double Seconds(double milliseconds) => (double)((decimal)milliseconds / 1000m);
}

public static class MetricsApi
{
    /// <summary>The Api's <c>/metrics</c>: the host's exposition plus the window's gauges.</summary>
    public static IEndpointRouteBuilder MapApiMetrics(this IEndpointRouteBuilder endpoints)
    {
        endpoints.ServiceProvider.GetRequiredService<WindowMetrics>();
        return endpoints.MapDomuMetrics();
    }
}
