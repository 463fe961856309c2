using Domu.Grains;
using Microsoft.Extensions.Options;
using Prometheus;

namespace Domu.UnitTests;

public sealed class EventMetricsTests
{
    private static (EventMetrics Metrics, CollectorRegistry Registry) Create(int maxIntents)
    {
        var registry = Metrics.NewCustomRegistry();
        return (new EventMetrics(Metrics.WithCustomRegistry(registry), Options.Create(new MetricsOptions { MaxIntents = maxIntents })), registry);
    }

    private static async Task<string> ExpositionAsync(CollectorRegistry registry)
    {
        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static VoiceEvent Event(string intent, bool success = true, double latencyMs = 250) =>
        new(DateTimeOffset.UnixEpoch, "s", intent, latencyMs, success, 0.9);

    [Fact]
    public async Task Recorded_events_are_counted_by_intent_and_outcome_with_latency_in_seconds()
    {
        var (metrics, registry) = Create(20);
        metrics.Simulated([Event("BookFlight"), Event("BookFlight", success: false, latencyMs: 1200), Event("Cancel")]);

        var text = await ExpositionAsync(registry);

        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"BookFlight\",outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"BookFlight\",outcome=\"failure\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_event_latency_seconds_sum{source=\"simulator\",intent=\"BookFlight\"} 1.45\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_event_latency_seconds_bucket{source=\"simulator\",intent=\"BookFlight\",le=\"0.3\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_event_latency_seconds_bucket{source=\"simulator\",intent=\"BookFlight\",le=\"1.5\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE domu_events_ingested_total counter", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Intents_beyond_the_label_budget_count_as_other_and_labels_once_given_stay()
    {
        var (metrics, registry) = Create(2);
        metrics.Simulated([Event("A"), Event("B"), Event("C"), Event("D"), Event("A")]);

        var text = await ExpositionAsync(registry);

        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"A\",outcome=\"success\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"B\",outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"other\",outcome=\"success\"} 2\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("intent=\"C\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_intent_named_other_shares_the_fold_label_and_takes_no_place_in_the_budget()
    {
        var (metrics, registry) = Create(2);
        metrics.Simulated([Event("other"), Event("A"), Event("B"), Event("C", success: false)]);

        var text = await ExpositionAsync(registry);

        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"A\",outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"B\",outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"other\",outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"other\",outcome=\"failure\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("intent=\"C\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Both_outcomes_of_an_intent_are_exposed_from_its_first_event()
    {
        var (metrics, registry) = Create(20);
        metrics.Ingested(Event("BookFlight"));

        var text = await ExpositionAsync(registry);

        Assert.Contains("domu_events_ingested_total{source=\"ingest\",intent=\"BookFlight\",outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_ingested_total{source=\"ingest\",intent=\"BookFlight\",outcome=\"failure\"} 0\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Simulated_and_ingested_events_are_told_apart_and_have_their_own_intent_budgets()
    {
        var (metrics, registry) = Create(2);
        metrics.Simulated([Event("GetWeather"), Event("PlayMusic"), Event("SetAlarm", success: false)]);
        metrics.Ingested(Event("BookFlight"));
        metrics.Ingested(Event("GetWeather", latencyMs: 2500));

        var text = await ExpositionAsync(registry);

        // The simulator's vocabulary used up its own budget, not the one of real agents.
        Assert.Contains("domu_events_ingested_total{source=\"ingest\",intent=\"BookFlight\",outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_ingested_total{source=\"ingest\",intent=\"GetWeather\",outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"GetWeather\",outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_ingested_total{source=\"simulator\",intent=\"other\",outcome=\"failure\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_event_latency_seconds_count{source=\"ingest\",intent=\"GetWeather\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_event_latency_seconds_sum{source=\"ingest\",intent=\"GetWeather\"} 2.5\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("source=\"ingest\",intent=\"other\"", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_label_budget_holds_under_concurrent_new_intents()
    {
        var labels = new IntentLabels<string>(5, intent => intent);
        var given = new System.Collections.Concurrent.ConcurrentBag<string>();

        Parallel.For(0, 1000, i => given.Add(labels.For($"intent-{i % 100}")));

        Assert.Equal(6, given.Distinct().Count()); // five intents and "other"
        Assert.Contains(IntentReport.Other, given);
    }

    [Fact]
    public async Task Label_values_with_quotes_backslashes_and_newlines_are_escaped()
    {
        // /ingest refuses control characters, so a newline can only come from code; it must still be safe.
        var (metrics, registry) = Create(20);
        metrics.Ingested(Event("say \"hi\"\\\nnow"));

        var text = await ExpositionAsync(registry);

        Assert.Contains("domu_events_ingested_total{source=\"ingest\",intent=\"say \\\"hi\\\"\\\\\\nnow\",outcome=\"success\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Rejections_are_counted_by_reason()
    {
        var (metrics, registry) = Create(20);
        metrics.Rejected(EventMetrics.Reasons.InvalidField);
        metrics.Rejected(EventMetrics.Reasons.InvalidField);
        metrics.Rejected(EventMetrics.Reasons.PayloadTooLarge);

        var text = await ExpositionAsync(registry);

        Assert.Contains("domu_events_rejected_total{reason=\"invalid_field\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("domu_events_rejected_total{reason=\"payload_too_large\"} 1\n", text, StringComparison.Ordinal);
    }
}
