using Domu.Testing;

namespace Domu.Deploy.Tests;

/// <summary>deploy/prometheus: scrape targets against the compose services, and promtool on every file.</summary>
public sealed class PrometheusTests
{
    private const string ConfigPath = "deploy/prometheus/prometheus.yml";
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    private readonly Compose _compose = Compose.Load();

    /// <summary>The ports a service listens on in its container: its Urls for a Domu service, else what it publishes.</summary>
    private HashSet<int> ListeningPorts(string service)
    {
        if (Compose.DomuServices.Contains(service))
        {
            var urls = _compose.Environment(service).GetValueOrDefault("Urls")
                ?? Dockerfile.Load(_compose.Build(service).Dockerfile).Environment.GetValueOrDefault("Urls")
                ?? "";
            return Compose.UrlPorts(urls).ToHashSet();
        }
        return _compose.Ports(service).Select(port => port.Container).ToHashSet();
    }

    [Fact]
    public void Every_scrape_target_is_a_compose_service_on_a_port_it_listens_on()
    {
        var jobs = Yaml.Load(ConfigPath).Items("scrape_configs").ToList();
        Assert.NotEmpty(jobs);
        var targets = new List<(string Job, string Host, int Port)>();
        foreach (var job in jobs)
        {
            var name = job.Scalar("job_name")!;
            foreach (var target in job.Items("static_configs").SelectMany(config => config.Items("targets")).Select(t => t.Scalar()!))
            {
                var colon = target.LastIndexOf(':');
                Assert.True(colon > 0, $"Job {name}: target {target} has no port.");
                targets.Add((name, target[..colon], int.Parse(target[(colon + 1)..], System.Globalization.CultureInfo.InvariantCulture)));
            }
            foreach (var discovery in job.Items("dns_sd_configs"))
            {
                var port = int.Parse(discovery.Scalar("port")!, System.Globalization.CultureInfo.InvariantCulture);
                targets.AddRange(discovery.Items("names").Select(host => (name, host.Scalar()!, port)));
            }
        }

        Assert.NotEmpty(targets);
        foreach (var (job, host, port) in targets)
        {
            Assert.True(_compose.Services.Child(host) is not null, $"Job {job} scrapes {host}, which is no compose service.");
            Assert.True(ListeningPorts(host).Contains(port),
                $"Job {job} scrapes {host}:{port}, but {host} listens on {string.Join(", ", ListeningPorts(host))}.");
        }
    }

    [Fact]
    public void Both_domu_services_are_scraped_and_every_silo_replica_on_its_own()
    {
        var jobs = Yaml.Load(ConfigPath).Items("scrape_configs").ToDictionary(job => job.Scalar("job_name")!);
        Assert.Equal(["api:8080"], jobs["domu-api"].Items("static_configs").SelectMany(c => c.Items("targets")).Select(t => t.Scalar()));
        var discovery = Assert.Single(jobs["domu-silo"].Items("dns_sd_configs"));
        Assert.Equal("A", discovery.Scalar("type"));
        Assert.Equal(["silo"], discovery.Items("names").Select(name => name.Scalar()));
        Assert.Equal("15s", Yaml.Load(ConfigPath).Mapping("global")?.Scalar("scrape_interval"));
    }

    [Theory]
    [InlineData("check", "config", ConfigPath)]
    [InlineData("check", "rules", "deploy/prometheus/alerts.yml")]
    [InlineData("test", "rules", "deploy/prometheus/alerts.test.yml")]
    public async Task Promtool_accepts_the_file(string command, string kind, string path)
    {
        var promtool = ExternalProgram.Require("promtool", "prometheus");
        var result = await ProgramRun.RunAsync(promtool, [command, kind, path], Limit);
        Assert.True(result.ExitCode == 0, $"promtool {command} {kind} {path} failed with {result}");
    }

    [Fact]
    public async Task Every_dashboard_query_is_valid_promql()
    {
        var promtool = ExternalProgram.Require("promtool", "prometheus");
        // promtool parses expressions in rule files: each query becomes a recording rule, with
        // Grafana's interval variables replaced by durations.
        var queries = Queries.DashboardExpressions();
        Assert.NotEmpty(queries);
        var rules = new System.Text.StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (var i = 0; i < queries.Count; i++)
        {
            var expression = queries[i].Expression
                .Replace("$__rate_interval", "1m", StringComparison.Ordinal)
                .Replace("$__interval", "15s", StringComparison.Ordinal)
                .Replace("$__range", "1h", StringComparison.Ordinal);
            rules.Append(System.Globalization.CultureInfo.InvariantCulture, $"      - record: dashboard_query_{i}\n        expr: {System.Text.Json.JsonSerializer.Serialize(expression)}\n");
        }
        var file = Path.Combine(Path.GetTempPath(), $"domu-dashboard-{Guid.NewGuid():N}.yml");
        await File.WriteAllTextAsync(file, rules.ToString());
        try
        {
            var result = await ProgramRun.RunAsync(promtool, ["check", "rules", file], Limit);
            Assert.True(result.ExitCode == 0, $"promtool rejects a dashboard query ({result})\n{rules}");
        }
        finally
        {
            File.Delete(file);
        }
    }
}
