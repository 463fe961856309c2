using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Domu.Hosting;

/// <summary>
/// Whether this process can reach grains: the co-hosted silo is active, or the client has started and
/// still has a gateway. Set from Orleans' lifecycle and connection notifications, read by the
/// readiness probe and the request gate.
/// </summary>
public sealed class ClusterReadiness :
    ILifecycleParticipant<ISiloLifecycle>,
    ILifecycleParticipant<IClusterClientLifecycle>,
    IClusterConnectionStatusObserver,
    IHealthCheck
{
    private volatile bool _ready;
    private volatile bool _disconnected;

    public bool IsReady => _ready && !_disconnected;

    public void Participate(ISiloLifecycle lifecycle) => Observe(lifecycle);

    public void Participate(IClusterClientLifecycle lifecycle) => Observe(lifecycle);

    public void NotifyGatewayCountChanged(int currentNumberOfGateways, int previousNumberOfGateways, bool connectionRecovered) =>
        _disconnected = currentNumberOfGateways == 0;

    public void NotifyClusterConnectionLost() => _disconnected = true;

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(IsReady
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy(_ready ? "Lost every gateway of the Orleans cluster." : "Orleans is not up yet."));

    private void Observe(ILifecycleObservable lifecycle) =>
        lifecycle.Subscribe(
            nameof(ClusterReadiness),
            ServiceLifecycleStage.Active,
            _ =>
            {
                _ready = true;
                return Task.CompletedTask;
            },
            _ =>
            {
                _ready = false;
                return Task.CompletedTask;
            });
}
