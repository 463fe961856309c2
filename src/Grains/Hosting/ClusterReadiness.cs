using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Domu.Hosting;

/// <summary>
/// Whether this process can reach grains: the co-hosted silo is active, or the client is connected.
/// Set from the Orleans lifecycle, read by the readiness probe and the request gate.
/// </summary>
public sealed class ClusterReadiness : ILifecycleParticipant<ISiloLifecycle>, ILifecycleParticipant<IClusterClientLifecycle>, IHealthCheck
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void Participate(ISiloLifecycle lifecycle) => Observe(lifecycle);

    public void Participate(IClusterClientLifecycle lifecycle) => Observe(lifecycle);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(_ready
            ? HealthCheckResult.Healthy("Orleans is up.")
            : HealthCheckResult.Unhealthy("Orleans is not up yet (silo starting or cluster not reached)."));

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
