using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Domu.Testing;
using static Domu.EndToEnd.Tests.ScaleOutTests;

namespace Domu.EndToEnd.Tests;

/// <summary>Redis goes away, and comes back empty: no 500s, and the cluster finds itself again.</summary>
[Collection(RedisCluster.Name)]
public sealed class RedisLossTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Losing_redis_gives_503s_not_500s_and_a_silo_the_table_forgot_restarts_into_the_cluster()
    {
        var redis = await RedisServer.StartAsync();
        var port = redis.Port;
        var clusterId = $"loss-{Guid.NewGuid():N}"[..16];
        var ports = SiloPorts.Free();
        var silo = StartSilo(ports, redis, clusterId);
        var api = DomuProcess.Start("Api", FreePort.Next(),
            DomuProcess.Arg("Orleans:Mode", "Client"),
            DomuProcess.Arg("Orleans:Clustering", "Redis"),
            DomuProcess.Arg("Orleans:Redis", redis.ConnectionString),
            DomuProcess.Arg("Orleans:ClusterId", clusterId));
        try
        {
            await silo.WaitForAsync("/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(90));
            await api.WaitForAsync("/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(90));
            await IngestOkAsync(api, SampleEvents.Seed);

            // Redis stops: the window still works (it lives in the silo); what needs Redis answers 503.
            await redis.DisposeAsync();
            var clock = Stopwatch.StartNew();
            var clusterStatuses = new List<HttpStatusCode>();
            while (clock.Elapsed < TimeSpan.FromSeconds(8))
            {
                using var cluster = await api.Http.GetAsync(new Uri("/cluster", UriKind.Relative));
                clusterStatuses.Add(cluster.StatusCode);
                Assert.True(cluster.StatusCode is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable,
                    $"/cluster answered {(int)cluster.StatusCode} with Redis down:\n{await cluster.Content.ReadAsStringAsync()}");
                var (status, _) = await IngestAsync(api, SampleEvents.Seed);
                Assert.True(status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"/ingest answered {(int)status} with Redis down");
                await Task.Delay(500);
            }
            Assert.Contains(HttpStatusCode.ServiceUnavailable, clusterStatuses);

            // Redis comes back empty: the membership table is gone, so the silo stops itself...
            redis = await RedisServer.StartAsync(port);
            using var exit = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            while (!silo.HasExited)
            {
                await Task.Delay(500, exit.Token);
            }
            output.WriteLine($"The silo stopped itself {clock.Elapsed.TotalSeconds:F1} s after Redis went away.");
            Assert.Equal(1, silo.ExitCode);
            Assert.Contains("stopping with exit code 1", silo.Output, StringComparison.Ordinal);

            // ...and, restarted (as a supervisor would), joins the new table; the Api finds it there.
            await silo.DisposeAsync();
            silo = StartSilo(ports, redis, clusterId);
            await silo.WaitForAsync("/health/ready", HttpStatusCode.OK, TimeSpan.FromSeconds(90));
            await WaitForAsync(async () => (await IngestAsync(api, SampleEvents.Seed)).Status == HttpStatusCode.OK,
                TimeSpan.FromSeconds(90), "the Api to accept events again", api);
            output.WriteLine($"The Api accepted events again {clock.Elapsed.TotalSeconds:F1} s after Redis went away.");
            Assert.Equal(1, (int)(await ClusterAsync(api))["activeSilos"]!);
            var simulator = JsonNode.Parse(await api.Http.GetStringAsync(new Uri("/simulator", UriKind.Relative)))!;
            Assert.True((bool)simulator["enabled"]!, simulator.ToJsonString());
        }
        finally
        {
            await api.DisposeAsync();
            await silo.DisposeAsync();
            await redis.DisposeAsync();
        }
    }
}
