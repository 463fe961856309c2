using Domu.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.TestingHost;

namespace Domu.Grains.Tests;

/// <summary>A wall clock the tests can move forward; monotonic timestamps stay real so Orleans keeps working.</summary>
public sealed class ShiftableClock : TimeProvider
{
    public static readonly ShiftableClock Instance = new();
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by) => Interlocked.Add(ref _offsetTicks, by.Ticks);
}

/// <summary>One in-process silo with Domu's grains, a window cap of 20 and the shiftable clock.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public const int MaxEvents = 20;

    public TestCluster Cluster { get; } = new TestClusterBuilder(1)
        .ConfigureHostConfiguration(config => config.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Window:MaxEvents"] = MaxEvents.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Simulator:Enabled"] = "false",
        }))
        .AddSiloBuilderConfigurator<SiloConfigurator>()
        .Build();

    public IGrainFactory Grains => Cluster.GrainFactory;

    public async ValueTask InitializeAsync() => await Cluster.DeployAsync();

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.AddDomuGrains();
            siloBuilder.Services.Replace(ServiceDescriptor.Singleton<TimeProvider>(ShiftableClock.Instance));
        }
    }
}
