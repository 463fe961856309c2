using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Domu.Grains;

/// <summary>
/// Cumulative Prometheus series about events, in the host's registry: what entered the window (by
/// source, intent and outcome), how long agents took (a histogram by source and intent), and what
/// <c>/ingest</c> refused (by reason). Each process counts what passes through it: the Api counts
/// <c>/ingest</c> (<c>source="ingest"</c>), the silo that runs the simulator counts its batches
/// (<c>source="simulator"</c>); Prometheus sums over instances. The label keeps simulated traffic
/// out of alerts on real agents, and each source has its own intent budget, so the simulator's
/// vocabulary takes no label from real intents.
/// </summary>
public sealed class EventMetrics
{
    /// <summary>Voice latency runs from tens of milliseconds to tens of seconds.</summary>
    public static readonly double[] LatencyBuckets = [0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 20, 30, 60];

    private readonly Counter _ingested;
    private readonly Counter _rejected;
    private readonly Histogram _latency;
    private readonly IntentLabels<IntentSeries> _ingestIntents, _simulatorIntents;
    private const string Success = "success", Failure = "failure";

    public EventMetrics(IMetricFactory factory, IOptions<MetricsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        _ingested = factory.CreateCounter("domu_events_ingested_total",
            "Events recorded in the window, by source (ingest or simulator), intent and outcome (success or failure).", ["source", "intent", "outcome"]);
        _rejected = factory.CreateCounter("domu_events_rejected_total",
            "Events POST /ingest refused, by reason (malformed_body, invalid_field, unsupported_media_type, payload_too_large).", ["reason"]);
        _latency = factory.CreateHistogram("domu_event_latency_seconds",
            "How long the agent took to answer (the event's latencyMs), in seconds, by source and intent.",
            new HistogramConfiguration { LabelNames = ["source", "intent"], Buckets = LatencyBuckets });
        _ingestIntents = new IntentLabels<IntentSeries>(options.Value.MaxIntents, intent => Series(Sources.Ingest, intent));
        _simulatorIntents = new IntentLabels<IntentSeries>(options.Value.MaxIntents, intent => Series(Sources.Simulator, intent));
    }

    /// <summary>
    /// An intent's series, bound once when its label is given: both outcomes exist from its first
    /// event on (so <c>rate()</c> sees its first failure), and counting an event costs no label lookup.
    /// </summary>
    private IntentSeries Series(string source, string intent) =>
        new(_ingested.WithLabels(source, intent, Success), _ingested.WithLabels(source, intent, Failure), _latency.WithLabels(source, intent));

    private sealed record IntentSeries(Counter.Child Success, Counter.Child Failure, Histogram.Child Latency);

    /// <summary>Counts a simulator batch the window accepted.</summary>
    public void Simulated(IEnumerable<VoiceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var voiceEvent in events)
        {
            Record(_simulatorIntents, voiceEvent);
        }
    }

    /// <summary>Counts one event <c>/ingest</c> recorded in the window.</summary>
    public void Ingested(VoiceEvent voiceEvent) => Record(_ingestIntents, voiceEvent);

    private static void Record(IntentLabels<IntentSeries> intents, VoiceEvent voiceEvent)
    {
        ArgumentNullException.ThrowIfNull(voiceEvent);
        var series = intents.For(voiceEvent.Intent);
        (voiceEvent.Success ? series.Success : series.Failure).Inc();
        series.Latency.Observe(voiceEvent.LatencyMs / 1000);
    }

    /// <summary>Where counted events came from, as label values.</summary>
    public static class Sources
    {
        public const string Ingest = "ingest";
        public const string Simulator = "simulator";
    }

    /// <summary>Counts one refused event.</summary>
    public void Rejected(string reason) => _rejected.WithLabels(reason).Inc();

    /// <summary>
    /// Exposes every rejection reason at zero, so that <c>rate()</c> and <c>increase()</c> see the first
    /// rejection instead of a series that appears with it. Only a host that serves <c>/ingest</c> calls this.
    /// </summary>
    public void PublishRejectionReasons()
    {
        foreach (var reason in Reasons.All)
        {
            _rejected.WithLabels(reason);
        }
    }

    /// <summary>The reasons <c>/ingest</c> refuses an event for, as label values.</summary>
    public static class Reasons
    {
        public const string MalformedBody = "malformed_body";
        public const string InvalidField = "invalid_field";
        public const string UnsupportedMediaType = "unsupported_media_type";
        public const string PayloadTooLarge = "payload_too_large";

        public static readonly IReadOnlyList<string> All = [MalformedBody, InvalidField, UnsupportedMediaType, PayloadTooLarge];
    }
}

/// <summary>
/// A label budget for intents on cumulative series. A counter's label, once given, must stay (taking
/// it away would reset the counter and break <c>rate()</c>), so the first <c>MaxIntents</c> intents a
/// process sees keep their own label and every later one is counted as <c>other</c>. The window's
/// rows and gauges, which carry no history, fold exactly by volume instead.
/// </summary>
internal sealed class IntentLabels<T>(int capacity, Func<string, T> create)
    where T : class
{
    private readonly ConcurrentDictionary<string, T> _admitted = new(StringComparer.Ordinal);
    private readonly Lazy<T> _other = new(() => create(IntentReport.Other));
    private readonly Lock _admit = new();

    /// <summary>What <paramref name="intent"/> is counted under: its own label's, or <c>other</c>'s.</summary>
    public T For(string intent)
    {
        if (_admitted.TryGetValue(intent, out var given))
        {
            return given;
        }
        // An intent named "other" shares the fold's label and takes no place in the budget.
        if (intent == IntentReport.Other)
        {
            return _other.Value;
        }
        lock (_admit)
        {
            if (_admitted.TryGetValue(intent, out given))
            {
                return given;
            }
            if (_admitted.Count >= capacity)
            {
                return _other.Value;
            }
            given = create(intent);
            _admitted[intent] = given;
            return given;
        }
    }
}
