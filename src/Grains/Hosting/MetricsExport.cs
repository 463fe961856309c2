using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Prometheus;

namespace Domu.Hosting;

/// <summary>
/// A host's Prometheus exposition: its own registry (Domu's series), plus process, .NET, ASP.NET Core
/// and Orleans metrics. Both the Silo host and the Api serve it on <c>GET /metrics</c>.
/// </summary>
public sealed class HostMetrics : IDisposable
{
    private readonly IDisposable _meters;

    public HostMetrics(CollectorRegistry registry, IMetricFactory factory)
    {
        Registry = registry;
        DotNetStats.Register(registry);
        _meters = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = registry,
            MetricFactory = factory,
            InstrumentFilterPredicate = instrument => IsWorthExporting(instrument.Meter.Name, instrument.Name, instrument.GetType()),
        });
    }

    public CollectorRegistry Registry { get; }

    /// <summary>
    /// Orleans, ASP.NET Core and runtime meters stay; the runtime's private diagnostics (MsQuic) and the
    /// Polly pipeline Orleans uses internally for placement are noise to an operator. The runtime's
    /// <c>*.count</c> gauges (assemblies, CPUs, threads, timers) would be exported with a <c>_count</c>
    /// suffix that Prometheus reserves for histograms and summaries; prometheus-net's own .NET
    /// collectors export the same facts under clean names.
    /// </summary>
    internal static bool IsWorthExporting(string meterName, string instrumentName, Type instrumentType) =>
        !meterName.StartsWith("Private.", StringComparison.Ordinal)
        && !meterName.StartsWith("Polly", StringComparison.Ordinal)
        && !(instrumentName.EndsWith(".count", StringComparison.Ordinal)
            && !(instrumentType.IsGenericType && instrumentType.GetGenericTypeDefinition() == typeof(System.Diagnostics.Metrics.Histogram<>)));

    public void Dispose() => _meters.Dispose();
}

public static class MetricsEndpoint
{
    /// <summary>
    /// <c>GET /metrics</c>: the Prometheus text format, or OpenMetrics for scrapers that ask for it
    /// (Prometheus does), negotiated by prometheus-net.
    /// </summary>
    public static IEndpointRouteBuilder MapDomuMetrics(this IEndpointRouteBuilder endpoints)
    {
        var metrics = endpoints.ServiceProvider.GetRequiredService<HostMetrics>();
        endpoints.MapMetrics("/metrics", metrics.Registry).WithMetadata(new HttpMethodMetadata(["GET", "HEAD"]));
        return endpoints;
    }
}
