using System.Net.Http.Headers;
using System.Text;
using Domu.Api.Tests;
using Domu.Testing;

namespace Domu.Deploy.Tests;

/// <summary>
/// The real Api, hosted in-process on loopback, after one valid and one invalid event: the metric
/// families its /metrics exports.
/// </summary>
public sealed class ScrapedMetrics : IAsyncLifetime
{
    private readonly ApiFactory _api = new();

    /// <summary>Every series name the scrape can carry: family names, and for histograms and summaries the derived series.</summary>
    public IReadOnlySet<string> Names { get; private set; } = new HashSet<string>();

    public IReadOnlySet<string> Histograms { get; private set; } = new HashSet<string>();

    public async ValueTask InitializeAsync()
    {
        await _api.InitializeAsync();
        await IngestAsync(SampleEvents.Seed);
        await IngestAsync(SampleEvents.With("confidence", "95"));

        using var response = await _api.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var histograms = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in (await response.Content.ReadAsStringAsync()).Split('\n'))
        {
            // "# TYPE name type"
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 4 || parts[0] != "#" || parts[1] != "TYPE")
            {
                continue;
            }
            names.Add(parts[2]);
            if (parts[3] is "histogram" or "summary")
            {
                histograms.Add(parts[2]);
                names.Add(parts[2] + "_sum");
                names.Add(parts[2] + "_count");
                if (parts[3] == "histogram")
                {
                    names.Add(parts[2] + "_bucket");
                }
            }
        }
        Names = names;
        Histograms = histograms;
    }

    private async Task IngestAsync(string body)
    {
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json");
        using var response = await _api.Http.PostAsync(new Uri("/ingest", UriKind.Relative), content);
        Assert.True((int)response.StatusCode is 200 or 400, $"POST /ingest answered {(int)response.StatusCode}.");
    }

    public ValueTask DisposeAsync() => _api.DisposeAsync();
}

/// <summary>Every metric the dashboard and the alerts query is one the Api really exports.</summary>
public sealed class MetricNameTests(ScrapedMetrics scraped) : IClassFixture<ScrapedMetrics>
{
    /// <summary>What the dashboard promises to show.</summary>
    private static readonly string[] DashboardMetrics =
    [
        "voice_events_total", "voice_latency_ms_avg", "voice_error_rate", "voice_confidence_avg",
        "domu_window_latency_p50_seconds", "domu_window_latency_p95_seconds", "domu_window_latency_p99_seconds",
        "domu_window_latency_max_seconds", "domu_event_latency_seconds_bucket",
        "domu_events_ingested_total", "domu_window_intent_latency_p95_seconds", "domu_events_rejected_total",
        "domu_simulator_ticks_total",
    ];

    [Fact]
    public void The_scrape_is_read()
    {
        Assert.Contains("voice_events_total", scraped.Names);
        Assert.Contains("domu_simulator_llm_request_duration_seconds", scraped.Histograms);
        Assert.Contains("domu_simulator_llm_request_duration_seconds_bucket", scraped.Names);
    }

    [Fact]
    public void The_dashboard_queries_every_figure_it_should_show()
    {
        var used = Queries.MetricNames(Queries.DashboardExpressions());
        var absent = DashboardMetrics.Where(name => !used.ContainsKey(name)).ToList();
        Assert.True(absent.Count == 0, $"The dashboard queries none of {string.Join(", ", absent)}.");
    }

    [Fact]
    public void Every_metric_the_dashboard_queries_is_exported() =>
        AssertExported(Queries.MetricNames(Queries.DashboardExpressions()), Queries.DashboardPath);

    [Fact]
    public void Every_metric_the_alerts_query_is_exported() =>
        AssertExported(Queries.MetricNames(Queries.AlertExpressions()), Queries.AlertsPath);

    /// <summary>Series Prometheus writes itself for every target.</summary>
    private static readonly HashSet<string> PrometheusOwn = ["up", "scrape_duration_seconds", "scrape_samples_scraped"];

    private void AssertExported(IReadOnlyDictionary<string, List<string>> used, string file)
    {
        Assert.NotEmpty(used);
        var missing = used
            .Where(pair => !PrometheusOwn.Contains(pair.Key))
            .Where(pair => !scraped.Names.Contains(pair.Key) && !scraped.Names.Contains(PromQl.FamilyOf(pair.Key, scraped.Histograms)))
            .Select(pair => $"{pair.Key} (in {string.Join(", ", pair.Value)})")
            .ToList();
        Assert.True(missing.Count == 0,
            $"{file} queries metrics the Api's /metrics does not export: {string.Join("; ", missing)}.");
    }
}
