using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Domu.Testing;

namespace Domu.EndToEnd.Tests;

/// <summary>A Silo process and an Api process in Orleans:Mode=Client, as separate OS processes.</summary>
public sealed class ClientModeTests
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private sealed record Topology(int SiloPort, int GatewayPort, int SiloHttpPort, string ClusterId)
    {
        public static Topology New() => new(FreePort.Next(), FreePort.Next(), FreePort.Next(), $"e2e-{Guid.NewGuid():N}");

        public DomuProcess StartSilo() => DomuProcess.Start("Silo", SiloHttpPort,
            DomuProcess.Arg("Orleans:SiloPort", SiloPort),
            DomuProcess.Arg("Orleans:GatewayPort", GatewayPort),
            DomuProcess.Arg("Orleans:ClusterId", ClusterId));

        public DomuProcess StartClientApi() => DomuProcess.Start("Api", FreePort.Next(),
            DomuProcess.Arg("Orleans:Mode", "Client"),
            DomuProcess.Arg("Orleans:GatewayPort", GatewayPort),
            DomuProcess.Arg("Orleans:ClusterId", ClusterId));
    }

    private static Task<HttpResponseMessage> IngestAsync(DomuProcess api, string body) =>
        api.Http.PostAsync(new Uri("/ingest", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

    private static void Log(string message) => TestContext.Current.TestOutputHelper?.WriteLine(message);

    [Fact]
    public async Task The_api_answers_503_until_the_silo_is_up_then_serves_through_it()
    {
        var topology = Topology.New();
        await using var api = topology.StartClientApi();
        await api.WaitForAsync("/health/live", HttpStatusCode.OK, StartTimeout);

        using (var ready = await api.Http.GetAsync(new Uri("/health/ready", UriKind.Relative)))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        }
        using (var early = await IngestAsync(api, SampleEvents.Seed))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, early.StatusCode);
            Assert.Equal("5", early.Headers.GetValues("Retry-After").Single());
            Assert.Equal("application/problem+json", early.Content.Headers.ContentType!.MediaType);
        }
        foreach (var path in new[] { "/report", "/metrics" })
        {
            using var response = await api.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        }

        await using var silo = topology.StartSilo();
        await silo.WaitForAsync("/health/ready", HttpStatusCode.OK, StartTimeout);
        await api.WaitForAsync("/health/ready", HttpStatusCode.OK, StartTimeout);

        // The silo host answers what it does not serve as problems, like the Api.
        foreach (var (path, status) in new[] { ("/nothing-here", HttpStatusCode.NotFound), ("/dashboard/SiloCounters/garbage", HttpStatusCode.BadRequest) })
        {
            using var response = await silo.Http.GetAsync(new Uri(path, UriKind.Relative));
            Assert.Equal(status, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        foreach (var body in SampleEvents.Fifteen())
        {
            using var response = await IngestAsync(api, body);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        Assert.StartsWith("""{"totalEvents":15,"avgLatencyMs":800,"errorRate":0.2,"avgConfidence":0.71,""",
            await api.Http.GetStringAsync(new Uri("/report", UriKind.Relative)));
        Assert.Contains("\nvoice_events_total 15\n", await api.Http.GetStringAsync(new Uri("/metrics", UriKind.Relative)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Losing_the_silo_gives_503_never_500_and_the_api_recovers_when_it_returns()
    {
        var topology = Topology.New();
        var silo = topology.StartSilo();
        await using var api = topology.StartClientApi();
        try
        {
            await silo.WaitForAsync("/health/ready", HttpStatusCode.OK, StartTimeout);
            await api.WaitForAsync("/health/ready", HttpStatusCode.OK, StartTimeout);
            using (var before = await IngestAsync(api, SampleEvents.Seed))
            {
                Assert.Equal(HttpStatusCode.OK, before.StatusCode);
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            await silo.KillAsync();

            var statuses = new List<HttpStatusCode>();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (DateTime.UtcNow < deadline && !statuses.Contains(HttpStatusCode.ServiceUnavailable))
            {
                using var response = await IngestAsync(api, SampleEvents.Seed);
                statuses.Add(response.StatusCode);
                await Task.Delay(250);
            }
            Log($"first 503 {clock.Elapsed.TotalSeconds:F1} s after the kill ({statuses.Count} requests)");
            Assert.Contains(HttpStatusCode.ServiceUnavailable, statuses);
            Assert.All(statuses, s => Assert.True(s is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"got {s}"));

            await silo.DisposeAsync();
            silo = topology.StartSilo();
            await silo.WaitForAsync("/health/ready", HttpStatusCode.OK, StartTimeout);
            Log($"silo restarted and ready {clock.Elapsed.TotalSeconds:F1} s after the kill");
            await api.WaitForAsync("/health/ready", HttpStatusCode.OK, StartTimeout);
            Log($"api ready again {clock.Elapsed.TotalSeconds:F1} s after the kill");

            // The window lived in the killed silo's memory: the restarted one starts empty.
            HttpStatusCode status;
            var retryUntil = DateTime.UtcNow.AddSeconds(60);
            do
            {
                using var response = await IngestAsync(api, SampleEvents.Event(500, false, 0.5));
                status = response.StatusCode;
                Assert.NotEqual(HttpStatusCode.InternalServerError, status);
                if (status != HttpStatusCode.OK)
                {
                    await Task.Delay(250);
                }
            }
            while (status != HttpStatusCode.OK && DateTime.UtcNow < retryUntil);
            Assert.Equal(HttpStatusCode.OK, status);
            Log($"ingest accepted again {clock.Elapsed.TotalSeconds:F1} s after the kill");

            var report = JsonNode.Parse(await api.Http.GetStringAsync(new Uri("/report", UriKind.Relative)))!;
            Assert.Equal(1, (int)report["totalEvents"]!);
            Assert.Equal(500, (double)report["avgLatencyMs"]!);
            Assert.DoesNotContain("Unhandled exception", api.Output, StringComparison.Ordinal);
        }
        finally
        {
            await silo.DisposeAsync();
        }
    }
}
