using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Domu.Grains;

/// <summary>Holds the rolling window; one activation per window key.</summary>
public sealed partial class MetricsWindowGrain : Grain, IMetricsWindowGrain
{
    private readonly MetricsWindow _window;
    private readonly TimeSpan _evictionPeriod;
    private readonly TimeProvider _time;
    private readonly ILogger<MetricsWindowGrain> _logger;

    public MetricsWindowGrain(
        IOptions<WindowOptions> options, IOptions<MetricsOptions> metrics, TimeProvider time, ILogger<MetricsWindowGrain> logger)
    {
        var window = options.Value;
        _window = new MetricsWindow(window.Duration, window.MaxEvents, metrics.Value.MaxIntents);
        _evictionPeriod = EvictionPeriod(window.Duration);
        _time = time;
        _logger = logger;
    }

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Evicting on a timer releases memory even when nobody reads; KeepAlive keeps the window
        // from being collected while it still holds events.
        this.RegisterGrainTimer(
            static (grain, _) => grain.EvictExpired(),
            this,
            new GrainTimerCreationOptions(_evictionPeriod, _evictionPeriod) { KeepAlive = true });
        return Task.CompletedTask;
    }

    public ValueTask RecordAsync(VoiceEvent voiceEvent)
    {
        _window.Add(voiceEvent, _time.GetUtcNow());
        return default;
    }

    public ValueTask RecordBatchAsync(IReadOnlyList<VoiceEvent> voiceEvents)
    {
        ArgumentNullException.ThrowIfNull(voiceEvents);
        var arrival = _time.GetUtcNow();
        foreach (var voiceEvent in voiceEvents)
        {
            _window.Add(voiceEvent, arrival);
        }
        return default;
    }

    public ValueTask<WindowReport> GetReportAsync()
    {
        var now = _time.GetUtcNow();
        _window.Evict(now);
        return ValueTask.FromResult(_window.Report(now));
    }

    public Task<string> GetSiloAsync() => Task.FromResult(GrainContext.Address.SiloAddress!.ToParsableString());

    /// <summary>A tenth of the window, between one and ten seconds.</summary>
    internal static TimeSpan EvictionPeriod(TimeSpan duration) =>
        TimeSpan.FromTicks(Math.Clamp(duration.Ticks / 10, TimeSpan.TicksPerSecond, 10 * TimeSpan.TicksPerSecond));

    private Task EvictExpired()
    {
        var evicted = _window.Evict(_time.GetUtcNow());
        if (evicted > 0)
        {
            LogEvicted(evicted, _window.Count);
        }
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Evicted {Evicted} expired events; {Remaining} remain")]
    private partial void LogEvicted(int evicted, int remaining);
}
