using Orleans.Concurrency;

namespace Domu;

/// <summary>The reminder-driven simulator that feeds the window with generated events.</summary>
[Alias("Domu.ISimulatorGrain")]
public interface ISimulatorGrain : IGrainWithStringKey, ILocatedGrain
{
    /// <summary>The key of the one simulator of a cluster.</summary>
    const string DefaultKey = "default";

    /// <summary>Brings the reminder in line with the simulator's state; called by every silo at start-up.</summary>
    [Alias("Initialize")]
    Task InitializeAsync();

    /// <summary>The status, answered even while a tick is waiting for the LLM.</summary>
    [Alias("GetStatus"), AlwaysInterleave]
    Task<SimulatorStatus> GetStatusAsync();

    [Alias("Start")]
    Task<SimulatorStatus> StartAsync();

    /// <summary>Unregisters the reminder; no tick runs until started again.</summary>
    [Alias("Stop")]
    Task<SimulatorStatus> StopAsync();
}

/// <summary>What <c>GET /simulator</c> shows.</summary>
[GenerateSerializer, Immutable, Alias("Domu.SimulatorStatus")]
public sealed record SimulatorStatus(
    [property: Id(0)] bool Enabled,
    [property: Id(1)] string Source,
    [property: Id(2)] TimeSpan Period,
    [property: Id(3)] DateTimeOffset? NextTickAt,
    [property: Id(4)] SimulatorTick? LastTick,
    [property: Id(5)] SimulatorTotals Totals);

/// <summary>One tick: which source produced the batch, how it went, what reached the window.</summary>
[GenerateSerializer, Immutable, Alias("Domu.SimulatorTick")]
public sealed record SimulatorTick(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] string Source,
    [property: Id(2)] string Outcome,
    [property: Id(3)] int Delivered,
    [property: Id(4)] int Dropped,
    [property: Id(5)] string? Failure);

/// <summary>Counts since the simulator's state was created.</summary>
[GenerateSerializer, Immutable, Alias("Domu.SimulatorTotals")]
public sealed record SimulatorTotals(
    [property: Id(0)] long Ticks,
    [property: Id(1)] long FailedTicks,
    [property: Id(2)] long EventsGenerated,
    [property: Id(3)] IReadOnlyDictionary<string, long> TicksBySource,
    [property: Id(4)] IReadOnlyDictionary<string, long> DroppedByReason);
