namespace Domu.Deploy.Tests;

/// <summary>docker-compose.yml, checked statically: there is no Docker engine where the tests run.</summary>
public sealed class ComposeTests
{
    private readonly Compose _compose = Compose.Load();

    public static TheoryData<string> DomuServices() => new(Compose.DomuServices);

    [Fact]
    public void It_declares_redis_the_silos_the_api_prometheus_and_grafana()
    {
        Assert.Equal(
            ["api", "grafana", "prometheus", "redis", "silo"],
            _compose.Services.Keys().Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Two_silos_run_each_with_its_own_host_port()
    {
        var silo = _compose.Service("silo");
        Assert.Equal("2", silo.Mapping("deploy")?.Scalar("replicas"));
        var (hostPorts, _) = Assert.Single(_compose.Ports("silo"));
        Assert.Equal(2, hostPorts.Count);
    }

    [Fact]
    public void The_api_publishes_8080_and_listens_on_it()
    {
        Assert.Contains(_compose.Ports("api"), port => port.Container == 8080 && port.Host.SequenceEqual([8080]));
        Assert.Equal([8080], Compose.UrlPorts(_compose.Environment("api")["Urls"]));
        Assert.Equal("Client", _compose.Environment("api")["Orleans__Mode"]);
    }

    [Fact]
    public void Silos_and_the_api_wait_for_a_healthy_redis()
    {
        Assert.NotNull(_compose.Service("redis").Child("healthcheck"));
        foreach (var service in Compose.DomuServices)
        {
            Assert.Equal("service_healthy", _compose.Service(service).Mapping("depends_on")?.Mapping("redis")?.Scalar("condition"));
        }
    }

    [Theory]
    [MemberData(nameof(DomuServices))]
    public void Every_environment_variable_names_a_configuration_key(string service)
    {
        var unknown = _compose.Environment(service).Keys
            .Where(name => !ConfigurationKeys.All.ContainsKey(ConfigurationKeys.FromEnvironmentName(name)))
            .ToList();
        Assert.True(unknown.Count == 0,
            $"Service '{service}' sets {string.Join(", ", unknown)}, which no Domu option class reads. Known keys: {string.Join(", ", ConfigurationKeys.All.Keys.Order(StringComparer.Ordinal))}.");
    }

    [Theory]
    [MemberData(nameof(DomuServices))]
    public void Every_literal_environment_value_binds_to_its_option_type(string service)
    {
        var wrong = _compose.Environment(service)
            .Where(pair => !pair.Value.Contains('$', StringComparison.Ordinal))
            .Where(pair => ConfigurationKeys.All.TryGetValue(ConfigurationKeys.FromEnvironmentName(pair.Key), out var type)
                && !ConfigurationKeys.CanBind(type, pair.Value))
            .Select(pair => $"{pair.Key}={pair.Value} (a {ConfigurationKeys.All[ConfigurationKeys.FromEnvironmentName(pair.Key)].Name})")
            .ToList();
        Assert.True(wrong.Count == 0, $"Service '{service}' sets values its options cannot bind: {string.Join(", ", wrong)}.");
    }

    [Fact]
    public void Secrets_come_from_the_environment_without_a_default()
    {
        foreach (var service in Compose.DomuServices)
        {
            foreach (var (name, value) in _compose.Environment(service)
                .Where(pair => pair.Key.Contains("Password", StringComparison.OrdinalIgnoreCase) || pair.Key.Contains("KEY", StringComparison.Ordinal)))
            {
                // ${VAR:?message} (required) or ${VAR:-} (empty default) only.
                Assert.True(System.Text.RegularExpressions.Regex.IsMatch(value, @"^\$\{[A-Z0-9_]+(:\?[^}]*|:-)\}$"),
                    $"{service}: {name} is '{value}'; a secret must come from the environment, required or empty by default.");
            }
        }
    }

    [Theory]
    [InlineData("prometheus")]
    [InlineData("grafana")]
    public void Bind_mounts_point_at_folders_of_the_repository(string service)
    {
        var mounts = _compose.BindMounts(service);
        Assert.NotEmpty(mounts);
        foreach (var (source, _) in mounts)
        {
            Assert.True(Directory.Exists(Repo.PathOf(source)), $"{service} mounts {source}, which is not a folder of the repository.");
        }
        var declared = _compose.Root.Mapping("volumes")?.Keys().ToHashSet() ?? [];
        foreach (var named in _compose.Service(service).Items("volumes").Select(v => v.Scalar()!).Where(v => !v.StartsWith('.')))
        {
            Assert.Contains(named.Split(':')[0], declared);
        }
    }

    [Fact]
    public void Prometheus_reads_the_config_file_of_the_repository()
    {
        var configFlag = _compose.Service("prometheus").Items("command").Select(item => item.Scalar()!)
            .Single(argument => argument.StartsWith("--config.file=", StringComparison.Ordinal));
        var hostPath = _compose.HostPathOf("prometheus", configFlag["--config.file=".Length..]);
        Assert.Equal(Repo.PathOf("deploy/prometheus/prometheus.yml"), hostPath);
    }

    [Fact]
    public void Grafana_provisions_the_prometheus_data_source_and_the_dashboards_folder()
    {
        var provisioning = _compose.HostPathOf("grafana", "/etc/grafana/provisioning");
        Assert.Equal(Repo.PathOf("deploy/grafana/provisioning"), provisioning);

        var dataSource = Assert.Single(Yaml.Load("deploy/grafana/provisioning/datasources/prometheus.yml").Items("datasources"));
        Assert.Equal("prometheus", dataSource.Scalar("uid"));
        var url = new Uri(dataSource.Scalar("url")!);
        Assert.Equal("prometheus", url.Host);
        Assert.Contains(_compose.Ports("prometheus"), port => port.Container == url.Port);

        var provider = Assert.Single(Yaml.Load("deploy/grafana/provisioning/dashboards/domu.yml").Items("providers"));
        Assert.Equal("file", provider.Scalar("type"));
        var dashboards = _compose.HostPathOf("grafana", provider.Mapping("options")!.Scalar("path")!);
        Assert.Equal(Repo.PathOf("deploy/grafana/dashboards"), dashboards);
        Assert.True(File.Exists(Path.Combine(dashboards!, "domu.json")));

        // Every panel and query uses the provisioned data source.
        foreach (var panel in Queries.Panels(Queries.Dashboard()).Where(panel => (string?)panel["type"] != "row"))
        {
            Assert.Equal("prometheus", (string?)panel["datasource"]?["uid"]);
            Assert.All(panel["targets"]!.AsArray(), target => Assert.Equal("prometheus", (string?)target!["datasource"]?["uid"]));
        }
    }
}
