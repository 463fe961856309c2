using System.Globalization;
using System.Net;
using Domu.Testing;

namespace Domu.Api.Tests;

/// <summary>Each test gets a fresh Api (and so a fresh window) to assert exact figures.</summary>
public sealed class ReportAndMetricsTests
{
    [Fact]
    public async Task An_empty_window_reports_zeros_in_json_and_in_prometheus()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();

        Assert.StartsWith("""{"totalEvents":0,"avgLatencyMs":0,"errorRate":0,"avgConfidence":0,""", await api.Http.ReportTextAsync());
        var metrics = await api.Http.MetricsAsync();
        foreach (var gauge in new[] { "voice_events_total", "voice_latency_ms_avg", "voice_error_rate", "voice_confidence_avg" })
        {
            Assert.Equal("0", HttpTestExtensions.Sample(metrics, gauge));
        }
    }

    [Fact]
    public async Task The_seed_event_shows_in_report_and_metrics_at_once()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();

        (await api.Http.IngestAsync(SampleEvents.Seed)).EnsureSuccessStatusCode();

        Assert.StartsWith("""{"totalEvents":1,"avgLatencyMs":250,"errorRate":0,"avgConfidence":0.95,""", await api.Http.ReportTextAsync());
        var metrics = await api.Http.MetricsAsync();
        Assert.Equal("1", HttpTestExtensions.Sample(metrics, "voice_events_total"));
        Assert.Equal("250", HttpTestExtensions.Sample(metrics, "voice_latency_ms_avg"));
        Assert.Equal("0", HttpTestExtensions.Sample(metrics, "voice_error_rate"));
        Assert.Equal("0.95", HttpTestExtensions.Sample(metrics, "voice_confidence_avg"));
    }

    [Fact]
    public async Task Fifteen_known_events_give_exact_figures_with_a_dot_under_a_comma_culture()
    {
        var culture = CultureInfo.DefaultThreadCurrentCulture;
        CultureInfo.DefaultThreadCurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        try
        {
            await using var api = new ApiFactory();
            await api.InitializeAsync();
            foreach (var body in SampleEvents.Fifteen())
            {
                (await api.Http.IngestAsync(body)).EnsureSuccessStatusCode();
            }

            Assert.StartsWith("""{"totalEvents":15,"avgLatencyMs":800,"errorRate":0.2,"avgConfidence":0.71,""", await api.Http.ReportTextAsync());
            var metrics = await api.Http.MetricsAsync();
            Assert.Equal("15", HttpTestExtensions.Sample(metrics, "voice_events_total"));
            Assert.Equal("800", HttpTestExtensions.Sample(metrics, "voice_latency_ms_avg"));
            Assert.Equal("0.2", HttpTestExtensions.Sample(metrics, "voice_error_rate"));
            Assert.Equal("0.71", HttpTestExtensions.Sample(metrics, "voice_confidence_avg"));
        }
        finally
        {
            CultureInfo.DefaultThreadCurrentCulture = culture;
        }
    }

    [Fact]
    public async Task Figures_are_rounded_as_the_contract_says()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();
        (await api.Http.IngestAsync(SampleEvents.Event(100.004, false, 0.1234))).EnsureSuccessStatusCode();
        (await api.Http.IngestAsync(SampleEvents.Event(100.007, false, 0.2))).EnsureSuccessStatusCode();
        (await api.Http.IngestAsync(SampleEvents.Event(100, true, 0.3))).EnsureSuccessStatusCode();

        // Means: latency 100.00366.., error rate 0.6666.., confidence 0.2078.
        Assert.StartsWith("""{"totalEvents":3,"avgLatencyMs":100,"errorRate":0.667,"avgConfidence":0.208,""", await api.Http.ReportTextAsync());
    }

    [Fact]
    public async Task The_window_cap_is_configurable()
    {
        await using var api = new ApiFactory().With("Window:MaxEvents", "2");
        await api.InitializeAsync();
        foreach (var latency in new[] { 100, 200, 400 })
        {
            (await api.Http.IngestAsync(SampleEvents.Event(latency, true, 0.9))).EnsureSuccessStatusCode();
        }

        Assert.Equal(new Seed(2, 300, 0, 0.9), (await api.Http.ReportAsync()).Seed());
    }

    [Fact]
    public async Task Metrics_are_well_formed_and_carry_the_runtime_and_orleans_meters_without_private_noise()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();
        (await api.Http.IngestAsync(SampleEvents.Seed)).EnsureSuccessStatusCode();

        using var response = await api.Http.GetAsync(new Uri("/metrics", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType!.MediaType);
        Assert.EndsWith("\n", body, StringComparison.Ordinal);
        Assert.Contains("# HELP voice_events_total ", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE voice_events_total gauge\n", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE voice_latency_ms_avg gauge\n", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE voice_error_rate gauge\n", body, StringComparison.Ordinal);
        Assert.Contains("# TYPE voice_confidence_avg gauge\n", body, StringComparison.Ordinal);
        Assert.Contains("\nprocess_cpu_seconds_total ", body, StringComparison.Ordinal);
        Assert.Contains("\ndotnet_total_memory_bytes ", body, StringComparison.Ordinal);
        Assert.DoesNotContain("private_internaldiagnostics", body, StringComparison.Ordinal);
        Assert.DoesNotContain("polly_", body, StringComparison.Ordinal);
        Assert.All(body.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith('#')),
            line => Assert.Matches(@"^[a-zA-Z_:][a-zA-Z0-9_:]*(\{.*\})? [-+0-9.eE]+|[-+]Inf|NaN$", line));
    }

    [Fact]
    public async Task Health_probes_answer_once_the_silo_is_up()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();

        using var live = await api.Http.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var ready = await api.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal("Healthy", await ready.Content.ReadAsStringAsync());
    }
}
