using Domu.Simulator;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Domu.Grains;

/// <summary>The simulator's persisted state: whether it runs, its last tick and its totals.</summary>
[GenerateSerializer, Alias("Domu.SimulatorState")]
public sealed class SimulatorState
{
    [Id(0)] public bool? Enabled { get; set; }
    [Id(1)] public SimulatorTick? LastTick { get; set; }
    [Id(2)] public DateTimeOffset? NextTickAt { get; set; }
    [Id(3)] public long Ticks { get; set; }
    [Id(4)] public long FailedTicks { get; set; }
    [Id(5)] public long EventsGenerated { get; set; }
    [Id(6)] public Dictionary<string, long> TicksBySource { get; set; } = [];
    [Id(7)] public Dictionary<string, long> DroppedByReason { get; set; } = [];
}

/// <summary>
/// Ticks on an Orleans reminder (Simulator:Period), generates a batch through <see cref="EventGenerator"/>
/// and delivers it to the window grain in one call. The LLM wait happens here, never in the window grain.
/// </summary>
public sealed partial class SimulatorGrain(
    [PersistentState("simulator", SimulatorGrain.StorageName)] IPersistentState<SimulatorState> state,
    EventGenerator generator,
    EventMetrics metrics,
    IOptions<SimulatorOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<SimulatorGrain> logger) : Grain, ISimulatorGrain, IRemindable
{
    public const string StorageName = "domu-simulator";
    private const string ReminderName = "simulator-tick";

    private SimulatorState State => state.State;

    public async Task InitializeAsync()
    {
        State.Enabled ??= options.Value.Enabled;
        if (State.Enabled == true)
        {
            await EnsureRegisteredAsync();
        }
        else
        {
            await UnregisterAsync();
        }
        await state.WriteStateAsync();
    }

    public Task<SimulatorStatus> GetStatusAsync() => Task.FromResult(Status());

    public async Task<SimulatorStatus> StartAsync()
    {
        State.Enabled = true;
        if (await EnsureRegisteredAsync())
        {
            LogStarted(options.Value.FirstTickDelay.TotalSeconds);
        }
        await state.WriteStateAsync();
        return Status();
    }

    public async Task<SimulatorStatus> StopAsync()
    {
        State.Enabled = false;
        await UnregisterAsync();
        await state.WriteStateAsync();
        LogStopped();
        return Status();
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != ReminderName)
        {
            return;
        }
        if (State.Enabled != true)
        {
            await UnregisterAsync();
            await state.WriteStateAsync();
            return;
        }

        State.NextTickAt = time.GetUtcNow() + options.Value.Period;
        TickResult tick;
        try
        {
            // Shutting down abandons a tick that waits for Groq instead of holding the silo up.
            tick = await generator.GenerateAsync(lifetime.ApplicationStopping);
        }
        catch (OperationCanceledException) when (lifetime.ApplicationStopping.IsCancellationRequested)
        {
            LogAbandoned();
            return;
        }
        catch (Exception ex)
        {
            LogTickFailed(ex);
            tick = new TickResult(time.GetUtcNow(), "none", "failed", [], new Dictionary<string, int>(), "unexpected_error");
        }
        var outcome = tick.Outcome;
        if (tick.Events.Count > 0)
        {
            try
            {
                await GrainFactory.GetGrain<IMetricsWindowGrain>(IMetricsWindowGrain.DefaultKey).RecordBatchAsync(tick.Events);
                metrics.Simulated(tick.Events);
            }
            catch (Exception ex) when (ex is TimeoutException or OrleansException)
            {
                LogDeliveryFailed(ex);
                outcome = "delivery_failed";
            }
        }

        var delivered = outcome == "delivery_failed" ? 0 : tick.Events.Count;
        var dropped = tick.Dropped.Values.Sum();
        State.LastTick = new SimulatorTick(tick.At, tick.Source, outcome, delivered, dropped, tick.Failure);
        State.Ticks++;
        State.EventsGenerated += delivered;
        State.TicksBySource[tick.Source] = State.TicksBySource.GetValueOrDefault(tick.Source) + 1;
        if (outcome is not "ok")
        {
            // The primary source failed (a fallback batch still counts here) or nothing arrived.
            State.FailedTicks++;
        }
        foreach (var (reason, count) in tick.Dropped)
        {
            State.DroppedByReason[reason] = State.DroppedByReason.GetValueOrDefault(reason) + count;
        }
        await state.WriteStateAsync();
        LogTick(tick.Source, outcome, delivered, dropped);
    }

    public Task<string> GetSiloAsync() => Task.FromResult(GrainContext.Address.SiloAddress!.ToParsableString());

    /// <summary>Registers the reminder unless it already runs; true when it was registered now.</summary>
    private async Task<bool> EnsureRegisteredAsync()
    {
        if (await this.GetReminder(ReminderName) is not null)
        {
            return false;
        }
        var settings = options.Value;
        await this.RegisterOrUpdateReminder(ReminderName, settings.FirstTickDelay, settings.Period);
        State.NextTickAt = time.GetUtcNow() + settings.FirstTickDelay;
        return true;
    }

    private async Task UnregisterAsync()
    {
        if (await this.GetReminder(ReminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }
        State.NextTickAt = null;
    }

    private SimulatorStatus Status() => new(
        State.Enabled == true,
        generator.PrimarySource,
        options.Value.Period,
        State.NextTickAt,
        State.LastTick,
        new SimulatorTotals(
            State.Ticks,
            State.FailedTicks,
            State.EventsGenerated,
            new Dictionary<string, long>(State.TicksBySource),
            new Dictionary<string, long>(State.DroppedByReason)));

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator tick: {Source} ({Outcome}), {Delivered} events delivered, {Dropped} dropped")]
    private partial void LogTick(string source, string outcome, int delivered, int dropped);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator started; first tick in {Seconds} s")]
    private partial void LogStarted(double seconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator stopped")]
    private partial void LogStopped();

    [LoggerMessage(Level = LogLevel.Information, Message = "Simulator tick abandoned: the silo is shutting down")]
    private partial void LogAbandoned();

    [LoggerMessage(Level = LogLevel.Error, Message = "Simulator tick failed")]
    private partial void LogTickFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Simulator could not deliver its batch to the window")]
    private partial void LogDeliveryFailed(Exception exception);
}
