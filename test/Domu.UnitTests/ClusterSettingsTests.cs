using System.Net;
using Domu.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace Domu.UnitTests;

public sealed class ClusterSettingsTests
{
    private static IConfiguration Config(params (string Key, string Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.ToDictionary(p => p.Key, p => (string?)p.Value)).Build();

    private static string Failure<T>(string section, params (string Key, string Value)[] pairs)
        where T : class, new()
    {
        var ex = Assert.Throws<OptionsValidationException>(() => Config(pairs).ReadValidated<T>(section));
        Assert.True(ConfigurationErrors.TryDescribe(ex, out var message));
        return message;
    }

    [Fact]
    public void Redis_clustering_reads_its_connection_string_identity_and_ports()
    {
        var settings = Config(("Orleans:Clustering", "Redis"), ("Orleans:Redis", "redis:6379,password=x"),
            ("Orleans:ClusterId", "prod"), ("Orleans:SiloPort", "11112"), ("Orleans:GatewayPort", "30001"),
            ("Orleans:AdvertisedAddress", "10.1.2.3")).ReadValidated<ClusterSettings>(ClusterSettings.Section);

        Assert.Equal(ClusteringKind.Redis, settings.Clustering);
        Assert.Equal("redis:6379,password=x", settings.Redis);
        Assert.Equal((11112, 30001), (settings.SiloPort, settings.GatewayPort));
        Assert.Equal(IPAddress.Parse("10.1.2.3"), settings.ResolveAdvertisedAddress());
    }

    [Fact]
    public void Localhost_clustering_advertises_loopback_and_a_host_name_is_resolved()
    {
        Assert.Equal(IPAddress.Loopback, new ClusterSettings().ResolveAdvertisedAddress());
        Assert.True(IPAddress.IsLoopback(new ClusterSettings { AdvertisedAddress = "localhost" }.ResolveAdvertisedAddress()));
    }

    [Theory]
    [InlineData("Orleans:Clustering", "Consul", "Orleans:Clustering: 'Consul' is not one of Localhost, Redis.")]
    [InlineData("Orleans:AdvertisedAddress", "not an address!", "Orleans:AdvertisedAddress")]
    [InlineData("Orleans:GatewayPort", "11111", "Orleans:GatewayPort: Orleans:SiloPort and Orleans:GatewayPort must differ")]
    [InlineData("Orleans:SiloPort", "70000", "Orleans:SiloPort")]
    public void A_bad_cluster_setting_is_named_by_its_key(string key, string value, string expected)
    {
        var pairs = key == "Orleans:Clustering" ? new[] { (key, value) } : [(key, value), ("Orleans:Clustering", "Redis")];
        Exception ex = Assert.ThrowsAny<Exception>(() => Config(pairs).ReadValidated<ClusterSettings>(ClusterSettings.Section));
        Assert.True(ConfigurationErrors.TryDescribe(ex, out var message), ex.ToString());
        Assert.Contains(expected, message, StringComparison.Ordinal);
    }

    [Fact]
    public void Redis_clustering_needs_a_connection_string() =>
        Assert.Contains("Orleans:Redis is required",
            Failure<ClusterSettings>(ClusterSettings.Section, ("Orleans:Clustering", "Redis"), ("Orleans:Redis", " ")), StringComparison.Ordinal);

    [Theory]
    [InlineData("Dashboard:Username", "admin", "Set both Dashboard:Username and Dashboard:Password")]
    [InlineData("Dashboard:Password", "secret", "Set both Dashboard:Username and Dashboard:Password")]
    [InlineData("Dashboard:Path", "dashboard", "Dashboard:Path")]
    [InlineData("Dashboard:Path", "/", "Dashboard:Path")]
    [InlineData("Dashboard:Path", "/metrics", "Dashboard:Path '/metrics' would shadow Domu's own /metrics endpoints")]
    [InlineData("Dashboard:Path", "/Health/ui", "Dashboard:Path '/Health/ui' would shadow Domu's own /health endpoints")]
    public void A_bad_dashboard_setting_is_named_by_its_key(string key, string value, string expected) =>
        Assert.Contains(expected, Failure<DashboardSettings>(DashboardSettings.Section, (key, value)), StringComparison.Ordinal);

    [Fact]
    public void The_dashboard_asks_for_a_login_only_when_both_credentials_are_set()
    {
        Assert.False(Config().ReadValidated<DashboardSettings>(DashboardSettings.Section).RequiresLogin);
        Assert.True(Config(("Dashboard:Username", "ops"), ("Dashboard:Password", "pw"))
            .ReadValidated<DashboardSettings>(DashboardSettings.Section).RequiresLogin);
    }

    [Fact]
    public void A_second_silo_on_ports_in_use_is_refused_with_the_key_to_change()
    {
        var held = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        held.Start();
        try
        {
            var port = ((IPEndPoint)held.LocalEndpoint).Port;
            var settings = new ClusterSettings { SiloPort = port, GatewayPort = Testing.FreePort.Next() };

            var ex = Assert.Throws<OptionsValidationException>(() => OrleansSetup.EnsureSiloPortsFree(IPAddress.Loopback, settings));

            Assert.True(ConfigurationErrors.TryDescribe(ex, out var message));
            Assert.Contains($"Orleans:SiloPort: port {port} is already in use", message, StringComparison.Ordinal);
        }
        finally
        {
            held.Stop();
        }
        OrleansSetup.EnsureSiloPortsFree(IPAddress.Loopback, new ClusterSettings { SiloPort = Testing.FreePort.Next(), GatewayPort = Testing.FreePort.Next() });
    }

    [Fact]
    public void A_silo_that_cannot_reach_redis_at_start_up_says_so_in_one_line_naming_the_key()
    {
        var unreachable = new StackExchange.Redis.RedisConnectionException(StackExchange.Redis.ConnectionFailureType.UnableToConnect,
            "The message timed out in the backlog",
            new StackExchange.Redis.RedisConnectionException(StackExchange.Redis.ConnectionFailureType.UnableToConnect,
                "UnableToConnect on 127.0.0.1:6390/Interactive, Initializing/NotStarted, last: NONE"));
        // Orleans wraps a failed start-up stage.
        var wrapped = new InvalidOperationException("Lifecycle start canceled due to errors at stage 'RuntimeGrainServices (8000)'.", unreachable);

        Assert.True(ConfigurationErrors.TryDescribe(wrapped, out var message));
        Assert.Equal("Invalid configuration: Orleans:Redis: the silo cannot start without Redis (UnableToConnect on 127.0.0.1:6390/Interactive). Start Redis, or correct Orleans:Redis.", message);
        Assert.False(ConfigurationErrors.TryDescribe(new InvalidOperationException("a bug", new ArgumentException("inner bug")), out _));
    }

    [Fact]
    public void The_watchdog_waits_out_a_hung_or_unreachable_redis_instead_of_failing()
    {
        Assert.True(MembershipWatchdog.IsStoreUnreachable(new TaskCanceledException()));
        Assert.True(MembershipWatchdog.IsStoreUnreachable(new StackExchange.Redis.RedisTimeoutException("timeout", StackExchange.Redis.CommandStatus.Sent)));
        Assert.True(MembershipWatchdog.IsStoreUnreachable(new Orleans.Runtime.OrleansException("read failed", new TimeoutException())));
        Assert.False(MembershipWatchdog.IsStoreUnreachable(new StackExchange.Redis.RedisServerException("WRONGTYPE")));
    }
}
