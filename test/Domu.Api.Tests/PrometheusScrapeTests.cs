using Domu.Grains;
using Domu.Testing;

namespace Domu.Api.Tests;

/// <summary>A real Prometheus scrapes the running Api; what it stores must agree with /report.</summary>
public sealed class PrometheusScrapeTests
{
    [Fact]
    public async Task Prometheus_scrapes_the_api_and_its_figures_agree_with_the_report()
    {
        await using var api = new ApiFactory().With("Window:MaxEvents", "0");
        await api.InitializeAsync();
        // 200 events, latencies 10, 20, ... 2000 ms, every tenth a failure, confidence 0.5 or 0.9.
        for (var i = 1; i <= 200; i++)
        {
            (await api.Http.IngestAsync(SampleEvents.Event(10 * i, i % 10 != 0, i % 2 == 0 ? 0.9 : 0.5,
                intent: i % 4 == 0 ? "CancelTrip" : "BookFlight"))).EnsureSuccessStatusCode();
        }
        var report = await api.Http.ReportAsync();
        Assert.Equal(200, report.TotalEvents);

        await using var prometheus = await PrometheusServer.StartAsync(api.Http.BaseAddress!);
        await prometheus.WaitUntilAsync(async () => await prometheus.QueryAsync("voice_events_total") == 200,
            TimeSpan.FromSeconds(60), "Prometheus did not scrape voice_events_total = 200");

        Assert.Equal(1, await prometheus.QueryAsync("""up{job="domu-api"}"""));
        Assert.Equal(report.AvgLatencyMs, await prometheus.QueryAsync("voice_latency_ms_avg"));
        Assert.Equal(report.ErrorRate, await prometheus.QueryAsync("voice_error_rate"));
        Assert.Equal(report.AvgConfidence, await prometheus.QueryAsync("voice_confidence_avg"));
        Assert.Equal(report.P95LatencyMs / 1000, await prometheus.QueryAsync("domu_window_latency_p95_seconds"));
        Assert.Equal(200, await prometheus.QueryAsync("sum(domu_events_ingested_total)"));
        Assert.Equal(20, await prometheus.QueryAsync("""sum(domu_events_ingested_total{source="ingest",outcome="failure"})"""));
        Assert.Equal(50, await prometheus.QueryAsync("""sum(domu_events_ingested_total{intent="CancelTrip"})"""));

        // The histogram's estimate interpolates inside a bucket; it must land in the same bucket as the
        // exact p95, and with evenly spread latencies the interpolation is exact.
        var estimate = (await prometheus.QueryAsync("histogram_quantile(0.95, sum by (le) (domu_event_latency_seconds_bucket))"))!.Value;
        var exact = report.P95LatencyMs / 1000;
        Assert.Equal(1.9, exact);
        Assert.Equal(Bucket(exact), Bucket(estimate));
        Assert.Equal(exact, estimate, 6);
    }

    private static int Bucket(double seconds) => Array.FindIndex(EventMetrics.LatencyBuckets, upper => seconds <= upper);
}
