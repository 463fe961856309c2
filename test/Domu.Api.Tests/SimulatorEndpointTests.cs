using System.Net;
using System.Text.Json.Nodes;
using Domu.Simulator.Tests;
using Domu.Testing;

namespace Domu.Api.Tests;

public sealed class SimulatorEndpointTests
{
    private static async Task<JsonObject> PostAsync(HttpClient http, string path)
    {
        using var response = await http.PostAsync(new Uri(path, UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.JsonAsync();
    }

    private static async Task<JsonObject> StatusAsync(HttpClient http) =>
        JsonNode.Parse(await http.GetStringAsync(new Uri("/simulator", UriKind.Relative)))!.AsObject();

    private static async Task<JsonObject> WaitForTickAsync(HttpClient http)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            var status = await StatusAsync(http);
            if (status["lastTick"] is JsonObject)
            {
                return status;
            }
            Assert.True(DateTime.UtcNow < deadline, "no tick within 20 s: " + status.ToJsonString());
            await Task.Delay(100);
        }
    }

    [Fact]
    public async Task Without_a_key_start_gives_synthetic_events_and_stop_halts_them()
    {
        await using var api = new ApiFactory().With("Simulator:FirstTickDelay", "00:00:00.200");
        await api.InitializeAsync();

        var idle = await StatusAsync(api.Http);
        Assert.False((bool)idle["enabled"]!);
        Assert.Equal("synthetic", (string)idle["source"]!);
        Assert.Equal("00:01:00", (string)idle["period"]!);

        var started = await PostAsync(api.Http, "/simulator/start");
        Assert.True((bool)started["enabled"]!);
        Assert.NotNull(started["nextTickAt"]);

        var ticked = await WaitForTickAsync(api.Http);
        Assert.Equal("synthetic", (string)ticked["lastTick"]!["source"]!);
        Assert.Equal("ok", (string)ticked["lastTick"]!["outcome"]!);
        Assert.Equal(5, (int)ticked["totals"]!["eventsGenerated"]!);
        Assert.Equal(5, (await api.Http.ReportAsync()).TotalEvents);
        Assert.Contains("domu_simulator_ticks_total{source=\"synthetic\",outcome=\"ok\"} 1", await api.Http.MetricsAsync(), StringComparison.Ordinal);

        var stopped = await PostAsync(api.Http, "/simulator/stop");
        Assert.False((bool)stopped["enabled"]!);
        Assert.Null(stopped["nextTickAt"]);
        Assert.False((bool)(await StatusAsync(api.Http))["enabled"]!);
    }

    [Fact]
    public async Task With_a_key_and_a_local_groq_the_batches_come_from_groq()
    {
        await using var groq = await FakeGroqServer.StartAsync();
        groq.ThenEvents(5);
        await using var api = new ApiFactory()
            .With("Simulator:FirstTickDelay", "00:00:00.200")
            .With("Simulator:Groq:Endpoint", groq.Endpoint)
            .With("Simulator:Groq:ApiKey", "gsk_local_test");
        await api.InitializeAsync();

        Assert.Equal("groq", (string)(await StatusAsync(api.Http))["source"]!);
        await PostAsync(api.Http, "/simulator/start");
        var ticked = await WaitForTickAsync(api.Http);

        Assert.Equal("groq", (string)ticked["lastTick"]!["source"]!);
        Assert.Equal(5, (int)ticked["lastTick"]!["delivered"]!);
        // The fake's events: latencies 400..800, the second one failed, confidence 0.9.
        Assert.Equal(new Seed(5, 600, 0.2, 0.9), (await api.Http.ReportAsync()).Seed());
        var metrics = await api.Http.MetricsAsync();
        Assert.Contains("domu_simulator_events_generated_total{source=\"groq\"} 5", metrics, StringComparison.Ordinal);
        Assert.Contains("domu_simulator_llm_tokens_total{kind=\"prompt\"} 120", metrics, StringComparison.Ordinal);
        Assert.Contains("domu_simulator_llm_request_duration_seconds_count{outcome=\"ok\"} 1", metrics, StringComparison.Ordinal);
        Assert.Single(groq.Requests);
    }
}
