using Orleans.Concurrency;

namespace Domu;

/// <summary>A grain that can say which silo it is active on, for <c>GET /cluster</c>.</summary>
[Alias("Domu.ILocatedGrain")]
public interface ILocatedGrain : IAddressable
{
    /// <summary>
    /// The address of the silo this activation lives on (activating it if needed), as the dashboard
    /// writes it (127.0.0.1:11111@155364557), so it can be pasted into its per-silo pages.
    /// </summary>
    [Alias("GetSilo"), AlwaysInterleave]
    Task<string> GetSiloAsync();
}
