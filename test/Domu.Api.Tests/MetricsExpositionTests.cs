using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Domu.Testing;

namespace Domu.Api.Tests;

/// <summary>What /metrics exposes beyond the seed gauges, and how it is served.</summary>
public sealed class MetricsExpositionTests
{
    private const string OpenMetrics = "application/openmetrics-text; version=1.0.0";

    private static async Task<(HttpResponseMessage Response, string Body)> ScrapeAsync(HttpClient http, string? accept)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/metrics", UriKind.Relative));
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }
        var response = await http.SendAsync(request);
        return (response, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Every_rejection_reason_is_exposed_at_zero_before_the_first_rejection()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();

        var metrics = await api.Http.MetricsAsync();

        foreach (var reason in new[] { "malformed_body", "invalid_field", "unsupported_media_type", "payload_too_large" })
        {
            Assert.Equal(0, Exposition.Value(metrics, $$"""domu_events_rejected_total{reason="{{reason}}"}"""));
        }
    }

    [Fact]
    public async Task Ingested_and_rejected_events_are_counted_and_latency_is_a_histogram_in_seconds()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();
        (await api.Http.IngestAsync(SampleEvents.Event(250, true, 0.9, intent: "BookFlight"))).EnsureSuccessStatusCode();
        (await api.Http.IngestAsync(SampleEvents.Event(2500, false, 0.4, intent: "BookFlight"))).EnsureSuccessStatusCode();
        (await api.Http.IngestAsync(SampleEvents.Event(80, true, 0.8, intent: "CancelTrip"))).EnsureSuccessStatusCode();
        await api.Http.IngestAsync("{not json");
        await api.Http.IngestAsync(SampleEvents.With("latencyMs", "-1"));
        await api.Http.IngestAsync(SampleEvents.Seed, "text/plain");
        await api.Http.IngestAsync(new string(' ', 20_000));

        var metrics = await api.Http.MetricsAsync();

        Assert.Empty(Exposition.Problems(metrics, openMetrics: false));
        Assert.Equal(1, Exposition.Value(metrics, """domu_events_ingested_total{source="ingest",intent="BookFlight",outcome="success"}"""));
        Assert.Equal(1, Exposition.Value(metrics, """domu_events_ingested_total{source="ingest",intent="BookFlight",outcome="failure"}"""));
        Assert.Equal(1, Exposition.Value(metrics, """domu_events_ingested_total{source="ingest",intent="CancelTrip",outcome="success"}"""));
        Assert.Equal(1, Exposition.Value(metrics, """domu_events_rejected_total{reason="malformed_body"}"""));
        Assert.Equal(1, Exposition.Value(metrics, """domu_events_rejected_total{reason="invalid_field"}"""));
        Assert.Equal(1, Exposition.Value(metrics, """domu_events_rejected_total{reason="unsupported_media_type"}"""));
        Assert.Equal(1, Exposition.Value(metrics, """domu_events_rejected_total{reason="payload_too_large"}"""));
        Assert.Equal(2.75, Exposition.Value(metrics, """domu_event_latency_seconds_sum{source="ingest",intent="BookFlight"}"""));
        Assert.Equal(1, Exposition.Value(metrics, """domu_event_latency_seconds_bucket{source="ingest",intent="BookFlight",le="0.3"}"""));
        Assert.Equal(2, Exposition.Value(metrics, """domu_event_latency_seconds_bucket{source="ingest",intent="BookFlight",le="3"}"""));
        Assert.Equal(1, Exposition.Value(metrics, """domu_event_latency_seconds_bucket{source="ingest",intent="CancelTrip",le="0.1"}"""));
        Assert.Contains("# TYPE domu_events_ingested_total counter\n", metrics, StringComparison.Ordinal);
        Assert.Contains("# TYPE domu_event_latency_seconds histogram\n", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Window_gauges_give_percentiles_metadata_and_per_intent_rows_that_follow_the_window()
    {
        await using var api = new ApiFactory().With("Window:MaxEvents", "3");
        await api.InitializeAsync();
        (await api.Http.IngestAsync(SampleEvents.Event(100, true, 0.9, intent: "Gone"))).EnsureSuccessStatusCode();
        (await api.Http.IngestAsync(SampleEvents.Event(200, false, 0.6, intent: "Stay"))).EnsureSuccessStatusCode();
        (await api.Http.IngestAsync(SampleEvents.Event(400, true, 0.8, intent: "Stay"))).EnsureSuccessStatusCode();
        var before = await api.Http.MetricsAsync();
        Assert.Equal(1, Exposition.Value(before, """domu_window_intent_events{intent="Gone"}"""));

        // A fourth event pushes "Gone" out of the three-event window.
        (await api.Http.IngestAsync(SampleEvents.Event(800, true, 0.7, intent: "Stay"))).EnsureSuccessStatusCode();
        var metrics = await api.Http.MetricsAsync();
        var report = await api.Http.ReportAsync();

        Assert.DoesNotContain("intent=\"Gone\"}", metrics.Split('\n').Where(l => l.StartsWith("domu_window_", StringComparison.Ordinal)), StringComparer.Ordinal);
        Assert.DoesNotContain(metrics.Split('\n'), l => l.StartsWith("domu_window_", StringComparison.Ordinal) && l.Contains("\"Gone\"", StringComparison.Ordinal));
        Assert.Equal(3, Exposition.Value(metrics, """domu_window_intent_events{intent="Stay"}"""));
        Assert.Equal(0.333, Exposition.Value(metrics, """domu_window_intent_error_ratio{intent="Stay"}"""));
        Assert.Equal(0.8, Exposition.Value(metrics, """domu_window_intent_latency_p95_seconds{intent="Stay"}"""));
        Assert.Equal(0.46667, Exposition.Value(metrics, """domu_window_intent_latency_avg_seconds{intent="Stay"}"""));
        Assert.Equal(0.7, Exposition.Value(metrics, """domu_window_intent_confidence_avg{intent="Stay"}"""));
        Assert.Equal(0.4, Exposition.Value(metrics, "domu_window_latency_p50_seconds"));
        Assert.Equal(0.8, Exposition.Value(metrics, "domu_window_latency_p99_seconds"));
        Assert.Equal(0.8, Exposition.Value(metrics, "domu_window_latency_max_seconds"));
        Assert.Equal(300, Exposition.Value(metrics, "domu_window_duration_seconds"));
        Assert.Equal(3, Exposition.Value(metrics, "domu_window_max_events"));
        Assert.InRange(Exposition.Value(metrics, "domu_window_oldest_event_age_seconds"), 0, 60);

        Assert.Equal(400, report.P50LatencyMs);
        Assert.Equal(800, report.MaxLatencyMs);
        Assert.Equal(new IntentReport("Stay", 3, 0.333, 466.67, 800, 0.7), Assert.Single(report.Intents));
        Assert.Equal(new WindowInfo(300, 3, report.Window.OldestEventAgeSeconds), report.Window);
    }

    [Fact]
    public async Task A_thousand_events_over_http_give_the_exact_percentiles_computed_independently()
    {
        await using var api = new ApiFactory().With("Window:MaxEvents", "0");
        await api.InitializeAsync();
        var random = new Random(5);
        var latencies = Enumerable.Range(0, 1000).Select(_ => random.Next(0, 3_000_000) / 100.0).ToList();
        await Parallel.ForEachAsync(latencies, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (latency, _) =>
            (await api.Http.IngestAsync(SampleEvents.Event(latency, true, 0.9))).EnsureSuccessStatusCode());

        var report = await api.Http.ReportAsync();

        var sorted = latencies.Order().ToArray();
        double Rank(decimal p) => sorted[(int)Math.Ceiling(p * sorted.Length) - 1];
        Assert.Equal(1000, report.TotalEvents);
        Assert.Equal(Rank(0.50m), report.P50LatencyMs);
        Assert.Equal(Rank(0.90m), report.P90LatencyMs);
        Assert.Equal(Rank(0.95m), report.P95LatencyMs);
        Assert.Equal(Rank(0.99m), report.P99LatencyMs);
        Assert.Equal(sorted[^1], report.MaxLatencyMs);
        Assert.Equal(Math.Round(latencies.Sum(l => (decimal)l) / 1000, 2), (decimal)report.AvgLatencyMs);
    }

    [Fact]
    public async Task Intents_beyond_the_top_k_are_folded_into_other_in_report_and_metrics()
    {
        await using var api = new ApiFactory().With("Metrics:MaxIntents", "2").With("Window:MaxEvents", "0");
        await api.InitializeAsync();
        foreach (var (intent, times) in new[] { ("Rare", 1), ("Top", 3), ("Second", 2), ("AlsoRare", 1) })
        {
            for (var i = 0; i < times; i++)
            {
                (await api.Http.IngestAsync(SampleEvents.Event(100, true, 0.9, intent: intent))).EnsureSuccessStatusCode();
            }
        }

        var report = await api.Http.ReportAsync();
        var metrics = await api.Http.MetricsAsync();

        Assert.Equal(["Top", "Second", "other"], report.Intents.Select(r => r.Intent));
        Assert.Equal(2, report.Intents[2].Count);
        Assert.Equal(2, Exposition.Value(metrics, """domu_window_intent_events{intent="other"}"""));
        // The cumulative series label the first two intents seen and count the rest as other.
        Assert.Equal(1, Exposition.Value(metrics, """domu_events_ingested_total{source="ingest",intent="Rare",outcome="success"}"""));
        Assert.Equal(3, Exposition.Value(metrics, """domu_events_ingested_total{source="ingest",intent="Top",outcome="success"}"""));
        Assert.Equal(3, Exposition.Value(metrics, """domu_events_ingested_total{source="ingest",intent="other",outcome="success"}"""));
        Assert.DoesNotContain("intent=\"AlsoRare\"", metrics, StringComparison.Ordinal);
        // No label is named after the session, and no session id is a label value.
        Assert.DoesNotMatch("""[{,]session[A-Za-z_]*=""", metrics);
        Assert.DoesNotContain("\"s1\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Intents_with_quotes_and_backslashes_stay_valid_label_values()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();
        // The JSON below carries the intent: Say "hi" \ now
        (await api.Http.IngestAsync(SampleEvents.Event(100, true, 0.9, intent: """Say \"hi\" \\ now"""))).EnsureSuccessStatusCode();

        foreach (var accept in new[] { null, OpenMetrics })
        {
            var (response, body) = await ScrapeAsync(api.Http, accept);
            using (response)
            {
                Assert.Empty(Exposition.Problems(body, openMetrics: accept is not null));
                Assert.Contains("""intent="Say \"hi\" \\ now""", body, StringComparison.Ordinal);
            }
        }
        Assert.Equal("""Say "hi" \ now""", Assert.Single((await api.Http.ReportAsync()).Intents).Intent);
    }

    [Fact]
    public async Task OpenMetrics_is_served_to_scrapers_that_ask_and_the_text_format_to_the_rest()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();
        (await api.Http.IngestAsync(SampleEvents.Seed)).EnsureSuccessStatusCode();

        var (open, openBody) = await ScrapeAsync(api.Http, OpenMetrics);
        using (open)
        {
            Assert.Equal("application/openmetrics-text", open.Content.Headers.ContentType!.MediaType);
            Assert.EndsWith("# EOF\n", openBody, StringComparison.Ordinal);
            Assert.Contains("# TYPE domu_events_ingested counter\n", openBody, StringComparison.Ordinal);
            Assert.Contains("domu_events_ingested_total{source=\"ingest\",intent=\"BookFlight\",outcome=\"success\"} 1", openBody, StringComparison.Ordinal);
            Assert.Empty(Exposition.Problems(openBody, openMetrics: true));
        }

        foreach (var accept in new[] { null, "text/plain", "*/*" })
        {
            var (plain, plainBody) = await ScrapeAsync(api.Http, accept);
            using (plain)
            {
                Assert.Equal("text/plain", plain.Content.Headers.ContentType!.MediaType);
                Assert.Equal("0.0.4", plain.Content.Headers.ContentType.Parameters.Single(p => p.Name == "version").Value);
                Assert.DoesNotContain("# EOF", plainBody, StringComparison.Ordinal);
                Assert.Contains("# TYPE domu_events_ingested_total counter\n", plainBody, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task Scrapes_while_new_intents_arrive_never_fail_or_come_back_partial()
    {
        await using var api = new ApiFactory().With("Metrics:MaxIntents", "1000").With("Window:MaxEvents", "50");
        await api.InitializeAsync();

        var ingest = Task.Run(async () =>
        {
            for (var i = 0; i < 300; i++)
            {
                (await api.Http.IngestAsync(SampleEvents.Event(10 + i, i % 3 != 0, 0.9, intent: $"intent-{i}"))).EnsureSuccessStatusCode();
            }
        });
        var scrapes = 0;
        while (!ingest.IsCompleted || scrapes < 8)
        {
            var round = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => ScrapeAsync(api.Http, i % 2 == 0 ? null : OpenMetrics)));
            foreach (var ((response, body), i) in round.Select((r, i) => (r, i)))
            {
                using (response)
                {
                    Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                    Assert.Empty(Exposition.Problems(body, openMetrics: i % 2 == 1));
                }
            }
            scrapes += round.Length;
        }
        await ingest;
    }

    [Fact]
    public async Task Promtool_finds_nothing_but_the_two_seed_names()
    {
        var promtool = ExternalProgram.Require("promtool", "prometheus");
        await using var api = new ApiFactory().With("Simulator:Enabled", "true").With("Simulator:FirstTickDelay", "00:00:00.100");
        await api.InitializeAsync();
        (await api.Http.IngestAsync(SampleEvents.Seed)).EnsureSuccessStatusCode();
        (await api.Http.IngestAsync(SampleEvents.Event(100, false, 0.5, intent: """Quote \" and \\"""))).EnsureSuccessStatusCode();
        await api.Http.IngestAsync("[]");
        await api.Http.GetAsync(new Uri("/report", UriKind.Relative));
        await Task.Delay(500); // the simulator's first tick
        var metrics = await api.Http.MetricsAsync();

        var findings = await RunAsync(promtool, ["check", "metrics"], metrics);

        var named = findings.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => line.Split(' ')[0]).ToHashSet();
        Assert.True(named.SetEquals(["voice_events_total", "voice_latency_ms_avg"]), "promtool check metrics said:\n" + findings);
    }

    private static async Task<string> RunAsync(string program, string[] arguments, string input)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (await output) + (await error);
    }
}
