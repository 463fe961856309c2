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
    private readonly IntentLabels _ingestIntents, _simulatorIntents;
    private readonly ConcurrentDictionary<(string Source, string Intent), byte> _published = new();
    private const string Success = "success", Failure = "failure";

    public EventMetrics(IMetricFactory factory, IOptions<MetricsOptions> options)
    {
        ArgumentNullException.ThrowIfNull(factory);
        ArgumentNullException.ThrowIfNull(options);
        _ingestIntents = new IntentLabels(options.Value.MaxIntents);
        _simulatorIntents = new IntentLabels(options.Value.MaxIntents);
        _ingested = factory.CreateCounter("domu_events_ingested_total",
            "Events recorded in the window, by source (ingest or simulator), intent and outcome (success or failure).", ["source", "intent", "outcome"]);
        _rejected = factory.CreateCounter("domu_events_rejected_total",
            "Events POST /ingest refused, by reason (malformed_body, invalid_field, unsupported_media_type, payload_too_large).", ["reason"]);
        _latency = factory.CreateHistogram("domu_event_latency_seconds",
            "How long the agent took to answer (the event's latencyMs), in seconds, by source and intent.",
            new HistogramConfiguration { LabelNames = ["source", "intent"], Buckets = LatencyBuckets });
    }

    /// <summary>Counts a simulator batch the window accepted.</summary>
    public void Simulated(IEnumerable<VoiceEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (var voiceEvent in events)
        {
            Record(Sources.Simulator, _simulatorIntents, voiceEvent);
        }
    }

    /// <summary>Counts one event <c>/ingest</c> recorded in the window.</summary>
    public void Ingested(VoiceEvent voiceEvent) => Record(Sources.Ingest, _ingestIntents, voiceEvent);

    private void Record(string source, IntentLabels intents, VoiceEvent voiceEvent)
    {
        ArgumentNullException.ThrowIfNull(voiceEvent);
        var intent = intents.LabelFor(voiceEvent.Intent);
        if (_published.TryAdd((source, intent), 0))
        {
            // Both outcomes from the first event on, so rate() sees an intent's first failure.
            _ingested.WithLabels(source, intent, Success);
            _ingested.WithLabels(source, intent, Failure);
        }
        _ingested.WithLabels(source, intent, voiceEvent.Success ? Success : Failure).Inc();
        _latency.WithLabels(source, intent).Observe(voiceEvent.LatencyMs / 1000);
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
internal sealed class IntentLabels(int capacity)
{
    private readonly ConcurrentDictionary<string, string> _labels = new(StringComparer.Ordinal);
    private readonly Lock _admit = new();

    public string LabelFor(string intent)
    {
        if (_labels.TryGetValue(intent, out var label))
        {
            return label;
        }
        // An intent named "other" shares the fold's label and takes no place in the budget.
        if (intent == IntentReport.Other)
        {
            return IntentReport.Other;
        }
        lock (_admit)
        {
            if (_labels.TryGetValue(intent, out label))
            {
                return label;
            }
            if (_labels.Count >= capacity)
            {
                return IntentReport.Other;
            }
            _labels[intent] = intent;
            return intent;
        }
    }
}
