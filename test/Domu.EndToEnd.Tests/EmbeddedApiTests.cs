using System.Net;
using System.Text;
using Domu.Testing;

namespace Domu.EndToEnd.Tests;

/// <summary>The built Api, started the way the README starts it, with its silo embedded.</summary>
public sealed class EmbeddedApiTests
{
    [Fact]
    public async Task The_api_process_serves_the_seed_examples_and_stops_cleanly()
    {
        await using var api = DomuProcess.Start("Api", FreePort.Next(),
            DomuProcess.Arg("Orleans:SiloPort", FreePort.Next()),
            DomuProcess.Arg("Orleans:GatewayPort", FreePort.Next()),
            DomuProcess.Arg("Orleans:ClusterId", "e2e-embedded"));
        await api.WaitForAsync("/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(60));

        using var ingest = await api.Http.PostAsync(new Uri("/ingest", UriKind.Relative),
            new StringContent(SampleEvents.Seed, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, ingest.StatusCode);
        Assert.Equal("""{"message":"Event ingested"}""", await ingest.Content.ReadAsStringAsync());

        Assert.StartsWith("""{"totalEvents":1,"avgLatencyMs":250,"errorRate":0,"avgConfidence":0.95,""",
            await api.Http.GetStringAsync(new Uri("/report", UriKind.Relative)));
        var metrics = await api.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("\nvoice_events_total 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\nvoice_latency_ms_avg 250\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\nvoice_error_rate 0\n", metrics, StringComparison.Ordinal);
        Assert.Contains("\nvoice_confidence_avg 0.95\n", metrics, StringComparison.Ordinal);

        Assert.Equal(0, await api.TerminateAsync(TimeSpan.FromSeconds(30)));
        Assert.DoesNotContain("fail:", api.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fresh_start_shows_simulated_events_within_ten_seconds_and_again_after_a_restart()
    {
        string[] args =
        [
            DomuProcess.Arg("Orleans:SiloPort", FreePort.Next()),
            DomuProcess.Arg("Orleans:GatewayPort", FreePort.Next()),
            "--Simulator:Enabled=true",
        ];
        var port = FreePort.Next();
        for (var run = 1; run <= 2; run++)
        {
            await using var api = DomuProcess.Start("Api", port, args);
            await api.WaitForAsync("/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(60));
            var clock = System.Diagnostics.Stopwatch.StartNew();

            var total = 0;
            while (total == 0 && clock.Elapsed < TimeSpan.FromSeconds(10))
            {
                var report = System.Text.Json.Nodes.JsonNode.Parse(await api.Http.GetStringAsync(new Uri("/report", UriKind.Relative)))!;
                total = (int)report["totalEvents"]!;
                await Task.Delay(200);
            }

            Assert.Equal(5, total);
            TestContext.Current.TestOutputHelper?.WriteLine($"run {run}: first batch within {clock.Elapsed.TotalSeconds:F1} s of ready");
            var status = await api.Http.GetStringAsync(new Uri("/simulator", UriKind.Relative));
            Assert.Contains("\"source\":\"synthetic\"", status, StringComparison.Ordinal);
            Assert.Contains("No Groq API key", api.Output, StringComparison.Ordinal);
            Assert.Equal(0, await api.TerminateAsync(TimeSpan.FromSeconds(30)));
        }
    }

    [Fact]
    public async Task A_bad_setting_stops_the_process_with_a_message_naming_the_key()
    {
        await using var api = DomuProcess.Start("Api", FreePort.Next(), DomuProcess.Arg("Window:MaxEvents", "-1"));

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!api.HasExited)
        {
            await Task.Delay(100, cts.Token);
        }

        Assert.Equal(2, api.ExitCode);
        Assert.Contains("Invalid configuration: Window:MaxEvents:", api.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", api.Output, StringComparison.Ordinal);
    }
}
