using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Domu.Testing;

namespace Domu.EndToEnd.Tests;

/// <summary>
/// Three silo processes and two client Apis meet in a real Redis; the silo hosting the window is
/// killed with SIGKILL; the cluster must converge, keep serving, and take the silo back.
/// </summary>
[Collection(RedisCluster.Name)]
public sealed class ScaleOutTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(90);

    internal sealed record SiloPorts(int Http, int Silo, int Gateway)
    {
        public static SiloPorts Free() => new(FreePort.Next(), FreePort.Next(), FreePort.Next());
    }

    [Fact]
    public async Task A_killed_silo_fails_over_without_500s_and_rejoins()
    {
        await using var redis = await RedisServer.StartAsync();
        var clusterId = $"e2e-{Guid.NewGuid():N}"[..16];
        var ports = Enumerable.Range(0, 3).Select(_ => SiloPorts.Free()).ToArray();
        var silos = new DomuProcess?[3];
        var apis = new List<DomuProcess>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                silos[i] = StartSilo(ports[i], redis, clusterId);
            }
            for (var i = 0; i < 2; i++)
            {
                apis.Add(DomuProcess.Start("Api", FreePort.Next(),
                    DomuProcess.Arg("Orleans:Mode", "Client"),
                    DomuProcess.Arg("Orleans:Clustering", "Redis"),
                    DomuProcess.Arg("Orleans:Redis", redis.ConnectionString),
                    DomuProcess.Arg("Orleans:ClusterId", clusterId)));
            }
            foreach (var process in silos.Concat(apis))
            {
                await process!.WaitForAsync("/health/ready", HttpStatusCode.OK, Startup);
            }
            await WaitForAsync(async () => (int)(await ClusterAsync(apis[0]))["activeSilos"]! == 3, Startup, "three active silos");

            // Events through both Apis land in the one window, and both Apis report it alike.
            for (var i = 0; i < 20; i++)
            {
                await IngestOkAsync(apis[i % 2], SampleEvents.Event(100 + i, i % 4 != 0, 0.9, intent: $"Intent{i % 3}"));
            }
            await ReportsAgreeAsync(apis);
            var before = await ReportAsync(apis[0]);
            Assert.InRange((int)before["totalEvents"]!, 20, 30);

            // Kill the silo that hosts the window, outright.
            var cluster = await ClusterAsync(apis[0]);
            var victim = Array.FindIndex(ports, p => Port((string)cluster["windowSilo"]!) == p.Silo);
            Assert.True(victim >= 0, $"The window is on none of the test's silos: {cluster}");
            var simulatorTicks = await SimulatorTicksAsync(apis[0]);
            var killedAt = Stopwatch.StartNew();
            await silos[victim]!.KillAsync();
            output.WriteLine($"Killed silo {victim} (silo port {ports[victim].Silo}), which hosted the window.");

            // Until both Apis accept again: 200 or 503 with Retry-After, never anything else.
            var statuses = new Dictionary<HttpStatusCode, int>();
            var steady = 0;
            TimeSpan? recovered = null;
            while (steady < 3)
            {
                Assert.True(killedAt.Elapsed < TimeSpan.FromSeconds(90), $"No failover within 90 s; statuses so far: {Describe(statuses)}");
                var answers = await Task.WhenAll(apis.Select(api => IngestAsync(api, SampleEvents.Event(150, true, 0.8))));
                foreach (var (status, retryAfter) in answers)
                {
                    statuses[status] = statuses.GetValueOrDefault(status) + 1;
                    Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
                        $"An Api answered {(int)status} during failover; statuses so far: {Describe(statuses)}");
                    Assert.True(status == HttpStatusCode.OK || retryAfter, "A 503 during failover came without Retry-After.");
                }
                if (answers.All(a => a.Status == HttpStatusCode.OK))
                {
                    recovered ??= killedAt.Elapsed;
                    steady++;
                }
                else
                {
                    recovered = null;
                    steady = 0;
                    await Task.Delay(200);
                }
            }
            output.WriteLine($"Both Apis accepted events again {recovered!.Value.TotalSeconds:F1} s after the kill; statuses: {Describe(statuses)}.");

            // The cluster converges on two silos and the window lives on a survivor.
            await WaitForAsync(async () => (int)(await ClusterAsync(apis[1]))["activeSilos"]! == 2, TimeSpan.FromSeconds(60), "the dead silo declared dead");
            output.WriteLine($"Membership declared the silo dead {killedAt.Elapsed.TotalSeconds:F1} s after the kill.");
            Assert.NotEqual(ports[victim].Silo, Port((string)(await ClusterAsync(apis[1]))["windowSilo"]!));
            await ReportsAgreeAsync(apis);

            // The killed silo comes back on the same ports and rejoins.
            await silos[victim]!.DisposeAsync();
            silos[victim] = StartSilo(ports[victim], redis, clusterId);
            await silos[victim]!.WaitForAsync("/health/ready", HttpStatusCode.OK, Startup);
            await WaitForAsync(async () => (int)(await ClusterAsync(apis[0]))["activeSilos"]! == 3, Startup, "the restarted silo rejoining");
            output.WriteLine($"The restarted silo rejoined {killedAt.Elapsed.TotalSeconds:F1} s after the kill.");

            // The one simulator keeps ticking (its reminder lives in Redis) on whichever silo hosts it now.
            await WaitForAsync(async () => await SimulatorTicksAsync(apis[1]) > simulatorTicks, TimeSpan.FromSeconds(150), "a simulator tick after the kill");
            output.WriteLine($"The simulator ticked again {killedAt.Elapsed.TotalSeconds:F1} s after the kill.");

            foreach (var api in apis)
            {
                await IngestOkAsync(api, SampleEvents.Seed);
            }
            await ReportsAgreeAsync(apis);
            Assert.All(silos.Select((s, i) => (s, i)).Where(x => x.i != victim), x => Assert.False(x.s!.HasExited, x.s.Output));
        }
        finally
        {
            foreach (var process in apis.Concat(silos.Where(s => s is not null))!)
            {
                await process!.DisposeAsync();
            }
        }
    }

    internal static DomuProcess StartSilo(SiloPorts ports, RedisServer redis, string clusterId) =>
        DomuProcess.Start("Silo", ports.Http,
            DomuProcess.Arg("Orleans:Clustering", "Redis"),
            DomuProcess.Arg("Orleans:Redis", redis.ConnectionString),
            DomuProcess.Arg("Orleans:ClusterId", clusterId),
            DomuProcess.Arg("Orleans:SiloPort", ports.Silo),
            DomuProcess.Arg("Orleans:GatewayPort", ports.Gateway),
            DomuProcess.Arg("Orleans:AdvertisedAddress", "127.0.0.1"),
            DomuProcess.Arg("Simulator:Enabled", "true"),
            DomuProcess.Arg("Simulator:FirstTickDelay", "00:00:01"),
            DomuProcess.Arg("Dashboard:Enabled", "false"));

    /// <summary>The port of an Orleans silo address as /cluster prints it: 127.0.0.1:11111@123456.</summary>
    private static int Port(string siloAddress) => int.Parse(siloAddress.Split(':')[1].Split('@')[0], System.Globalization.CultureInfo.InvariantCulture);

    internal static async Task<(HttpStatusCode Status, bool RetryAfter)> IngestAsync(DomuProcess api, string body)
    {
        try
        {
            using var response = await api.Http.PostAsync(new Uri("/ingest", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
            return (response.StatusCode, response.Headers.RetryAfter is not null);
        }
        catch (TaskCanceledException)
        {
            return (HttpStatusCode.RequestTimeout, false);
        }
    }

    internal static async Task IngestOkAsync(DomuProcess api, string body)
    {
        var (status, _) = await IngestAsync(api, body);
        Assert.Equal(HttpStatusCode.OK, status);
    }

    internal static async Task<JsonObject> ClusterAsync(DomuProcess api) =>
        JsonNode.Parse(await api.Http.GetStringAsync(new Uri("/cluster", UriKind.Relative)))!.AsObject();

    private static async Task<JsonObject> ReportAsync(DomuProcess api)
    {
        var report = JsonNode.Parse(await api.Http.GetStringAsync(new Uri("/report", UriKind.Relative)))!.AsObject();
        report["window"]!.AsObject().Remove("oldestEventAgeSeconds");
        return report;
    }

    private static async Task<int> SimulatorTicksAsync(DomuProcess api) =>
        (int)JsonNode.Parse(await api.Http.GetStringAsync(new Uri("/simulator", UriKind.Relative)))!["totals"]!["ticks"]!;

    /// <summary>Both Apis read the same window (a simulator tick between the two reads is retried).</summary>
    private static async Task ReportsAgreeAsync(List<DomuProcess> apis)
    {
        string first = "", second = "";
        for (var attempt = 0; attempt < 5; attempt++)
        {
            first = (await ReportAsync(apis[0])).ToJsonString();
            second = (await ReportAsync(apis[1])).ToJsonString();
            if (first == second)
            {
                return;
            }
            await Task.Delay(200);
        }
        Assert.Equal(first, second);
    }

    /// <summary>Polls <paramref name="condition"/>; fails at once, with its output, if a <paramref name="watched"/> process exits.</summary>
    internal static async Task WaitForAsync(Func<Task<bool>> condition, TimeSpan limit, string what, params DomuProcess[] watched)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            foreach (var process in watched)
            {
                if (process.HasExited)
                {
                    Assert.Fail($"A process exited with {process.ExitCode} while waiting for {what}:\n{process.Output}");
                }
            }
            try
            {
                if (await condition())
                {
                    return;
                }
            }
            catch (HttpRequestException) when (deadline.Elapsed < limit)
            {
            }
            Assert.True(deadline.Elapsed < limit, $"Timed out after {limit.TotalSeconds} s waiting for {what}.");
            await Task.Delay(500);
        }
    }

    private static string Describe(Dictionary<HttpStatusCode, int> statuses) =>
        string.Join(", ", statuses.Select(s => $"{(int)s.Key}×{s.Value}"));
}

/// <summary>The Redis cluster tests run one at a time: each runs several processes on two cores.</summary>
[CollectionDefinition(Name)]
public sealed class RedisCluster
{
    public const string Name = "Redis cluster";
}
