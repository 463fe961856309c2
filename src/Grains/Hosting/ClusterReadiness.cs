using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;

namespace Domu.Hosting;

/// <summary>
/// Whether this process can reach grains: the co-hosted silo is active, or the client has started and
/// still has a gateway. Set from Orleans' lifecycle and connection notifications, read by the
/// readiness probe and the request gate.
/// </summary>
public sealed partial class ClusterReadiness(ILogger<ClusterReadiness> logger) :
    ILifecycleParticipant<ISiloLifecycle>,
    ILifecycleParticipant<IClusterClientLifecycle>,
    IClusterConnectionStatusObserver,
    IHealthCheck
{
    private volatile bool _started;
    private volatile bool _disconnected;

    public bool IsReady => _started && !_disconnected;

    /// <summary>Started once, but every gateway is gone.</summary>
    public bool IsDisconnected => _started && _disconnected;

    public void Participate(ISiloLifecycle lifecycle) => Observe(lifecycle);

    public void Participate(IClusterClientLifecycle lifecycle) => Observe(lifecycle);

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered)
    {
        if (currentNumberOfGateways > 0)
        {
            MarkReachable();
        }
        else
        {
            NotifyClusterConnectionLost();
        }
    }

    public void NotifyClusterConnectionLost()
    {
        if (!_disconnected)
        {
            _disconnected = true;
            LogLost();
        }
    }

    /// <summary>A call reached the cluster: it is back.</summary>
    public void MarkReachable()
    {
        if (_disconnected)
        {
            _disconnected = false;
            LogRecovered();
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsReady
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy(_started ? "Lost every gateway of the Orleans cluster." : "Orleans is not up yet."));

    private void Observe(ILifecycleObservable lifecycle) =>
        lifecycle.Subscribe(
            nameof(ClusterReadiness),
            ServiceLifecycleStage.Active,
            _ =>
            {
                _started = true;
                return Task.CompletedTask;
            },
            _ =>
            {
                _started = false;
                return Task.CompletedTask;
            });

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost every gateway of the Orleans cluster; answering 503 until it is back")]
    private partial void LogLost();

    [LoggerMessage(Level = LogLevel.Information, Message = "The Orleans cluster is reachable again")]
    private partial void LogRecovered();
}
