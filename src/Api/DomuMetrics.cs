using Domu.Hosting;
using Prometheus;

namespace Domu.Api;

/// <summary>
/// The Api's Prometheus registry: the seed's four window gauges, read from the window grain at every
/// scrape, plus the process, .NET and Orleans metrics.
/// </summary>
internal sealed class DomuMetrics : IDisposable
{
    private readonly IDisposable _meters;

    public DomuMetrics(CollectorRegistry registry, IMetricFactory factory, IGrainFactory grains, ClusterReadiness readiness)
    {
        Registry = registry;
        var events = factory.CreateGauge("voice_events_total", "Number of events in the current window (a gauge: the name predates Domu and is kept for compatibility).");
        var latency = factory.CreateGauge("voice_latency_ms_avg", "Mean latencyMs over the window, in milliseconds.");
        var errorRate = factory.CreateGauge("voice_error_rate", "Share of failed interactions in the window (0-1).");
        var confidence = factory.CreateGauge("voice_confidence_avg", "Mean recogniser confidence over the window (0-1).");

        Registry.AddBeforeCollectCallback(async cancellationToken =>
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

            events.Set(report.TotalEvents);
            latency.Set(report.AvgLatencyMs);
            errorRate.Set(report.ErrorRate);
            confidence.Set(report.AvgConfidence);
        });

        DotNetStats.Register(Registry);
        _meters = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = factory,
            InstrumentFilterPredicate = instrument => IsWorthExporting(instrument.Meter.Name),
        });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>
    /// Orleans, ASP.NET Core and runtime meters stay; the runtime's private diagnostics (MsQuic) and the
    /// Polly pipeline Orleans uses internally for placement are noise to an operator.
    /// </summary>
    internal static bool IsWorthExporting(string meterName) =>
        !meterName.StartsWith("Private.", StringComparison.Ordinal)
        && !meterName.StartsWith("Polly", StringComparison.Ordinal);

    public void Dispose() => _meters.Dispose();
}

/// <summary><c>GET /metrics</c> in the Prometheus text format.</summary>
public static class MetricsApi
{
    public static IEndpointRouteBuilder MapDomuMetrics(this IEndpointRouteBuilder endpoints)
    {
        var metrics = endpoints.ServiceProvider.GetRequiredService<DomuMetrics>();
        endpoints.MapMetrics("/metrics", metrics.Registry).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
        return endpoints;
    }
}
