using Orleans.Concurrency;

namespace Domu;

/// <summary>A grain that can say which silo it is active on, for <c>GET /cluster</c>.</summary>
[Alias("Domu.ILocatedGrain")]
public interface ILocatedGrain : IAddressable
{
    /// <summary>The address of the silo this activation lives on (activating it if needed).</summary>
    [Alias("GetSilo"), AlwaysInterleave]
    Task<string> GetSiloAsync();
}
