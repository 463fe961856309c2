using Microsoft.AspNetCore.Http.HttpResults;

namespace Domu.Api;

/// <summary>
/// <c>GET /cluster</c>: the silos Orleans' membership knows, and which silo hosts the window and the
/// simulator, so an operator (or a failover test) can see where the state lives.
/// </summary>
public static class ClusterApi
{
    public static IEndpointRouteBuilder MapClusterApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/cluster", [HttpMethods.Get, HttpMethods.Head], GetClusterAsync).WithName("Cluster");
        return endpoints;
    }

    public static async Task<Ok<ClusterView>> GetClusterAsync(IGrainFactory grains, CancellationToken cancellationToken)
    {
        var hosts = await grains.GetGrain<IManagementGrain>(0).GetDetailedHosts(onlyActive: false, cancellationToken);
        var window = grains.GetGrain<IMetricsWindowGrain>(IMetricsWindowGrain.DefaultKey).GetSiloAsync();
        var simulator = grains.GetGrain<ISimulatorGrain>(ISimulatorGrain.DefaultKey).GetSiloAsync();
        var silos = hosts
            .Where(h => h.Status is not SiloStatus.None)
            .OrderBy(h => h.SiloAddress.ToString(), StringComparer.Ordinal)
            .Select(h => new SiloView(h.SiloAddress.ToParsableString(), h.SiloName, h.HostName, h.Status.ToString(),
                h.SiloAddress.Endpoint.Port, h.ProxyPort, h.StartTime))
            .ToList();
        return TypedResults.Ok(new ClusterView(
            silos.Count(s => s.Status == nameof(SiloStatus.Active)), silos, await window.WaitAsync(cancellationToken), await simulator.WaitAsync(cancellationToken)));
    }
}

/// <summary>What <c>GET /cluster</c> answers.</summary>
public sealed record ClusterView(int ActiveSilos, IReadOnlyList<SiloView> Silos, string WindowSilo, string SimulatorSilo);

/// <summary>One silo as membership records it (dead silos stay listed for a while, as Orleans keeps them).</summary>
public sealed record SiloView(string Address, string Name, string HostName, string Status, int SiloPort, int GatewayPort, DateTime StartedAt);
