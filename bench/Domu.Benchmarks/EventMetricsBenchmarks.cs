using BenchmarkDotNet.Attributes;
using Domu.Grains;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Domu.Benchmarks;

/// <summary>
/// What counting one ingested event costs on the /ingest path: Domu's <see cref="EventMetrics"/>
/// (label budget lookup, then series bound once per intent) against the baseline of looking the
/// counter and histogram children up by their labels for every event.
/// </summary>
[MemoryDiagnoser]
public class EventMetricsBenchmarks
{
    private EventMetrics _metrics = null!;
    private Counter _counter = null!;
    private Histogram _histogram = null!;
    private VoiceEvent[] _events = null!;
    private int _next;

    [GlobalSetup]
    public void Setup()
    {
        _metrics = new EventMetrics(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()), Options.Create(new MetricsOptions()));
        var factory = Metrics.WithCustomRegistry(Metrics.NewCustomRegistry());
        _counter = factory.CreateCounter("baseline_events_total", "baseline", ["source", "intent", "outcome"]);
        _histogram = factory.CreateHistogram("baseline_latency_seconds", "baseline",
            new HistogramConfiguration { LabelNames = ["source", "intent"], Buckets = EventMetrics.LatencyBuckets });
        // Ten intents, within the default budget of 20, as a busy agent fleet sends them.
        _events = Enumerable.Range(0, 64)
            .Select(i => new VoiceEvent(DateTimeOffset.UnixEpoch, "s", $"Intent{i % 10}", 100 + (i * 37), i % 9 != 0, 0.9))
            .ToArray();
    }

    private VoiceEvent Next() => _events[_next++ & 63];

    [Benchmark(Baseline = true, Description = "children looked up by labels per event")]
    public void LookupPerEvent()
    {
        var e = Next();
        _counter.WithLabels(EventMetrics.Sources.Ingest, e.Intent, e.Success ? "success" : "failure").Inc();
        _histogram.WithLabels(EventMetrics.Sources.Ingest, e.Intent).Observe(e.LatencyMs / 1000);
    }

    [Benchmark(Description = "EventMetrics.Ingested")]
    public void Ingested() => _metrics.Ingested(Next());
}
