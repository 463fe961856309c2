using System.Net;
using Domu.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Dashboard;

namespace Domu.Hosting;

/// <summary>
/// The one place where Domu's Orleans side is set up: the Silo host and the Api's embedded mode call
/// <see cref="AddDomuSilo"/>, the Api's client mode calls <see cref="AddDomuClient"/>.
/// </summary>
public static partial class OrleansSetup
{
    /// <summary>Co-hosts a Domu silo: grains, clustering, options, readiness, dashboard.</summary>
    public static IHostApplicationBuilder AddDomuSilo(this IHostApplicationBuilder builder)
    {
        var cluster = builder.Configuration.ReadValidated<ClusterSettings>(ClusterSettings.Section);
        var dashboard = builder.Configuration.ReadValidated<DashboardSettings>(DashboardSettings.Section);
        // Localhost clustering listens on loopback. Silos that advertise loopback (several on one
        // machine) stay off the network too; any other advertised address listens on every interface.
        var advertised = cluster.Clustering == ClusteringKind.Localhost ? IPAddress.Loopback : cluster.ResolveAdvertisedAddress();
        var listenOnAnyHostAddress = !IPAddress.IsLoopback(advertised);
        EnsureSiloPortsFree(listenOnAnyHostAddress ? IPAddress.Any : advertised, cluster);
        AddCommonServices(builder);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ClusterReadiness>());
        // Services.AddOrleans, not builder.UseOrleans: the latter hands Orleans the app's configuration,
        // and Orleans would read Domu's own "Orleans" section (Orleans:Clustering=Redis) as its
        // provider settings. Domu configures Orleans in code from ClusterSettings instead.
        builder.Services.AddOrleans(silo =>
        {
            if (cluster.Clustering == ClusteringKind.Localhost)
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, primarySiloEndpoint: null, cluster.ServiceId, cluster.ClusterId);
            }
            else
            {
                var redis = cluster.Redis;
                silo.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId))
                    .ConfigureEndpoints(advertised, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress)
                    .UseRedisClustering(o => o.ConfigurationOptions = RedisOptions(redis))
                    .Configure<ClusterMembershipOptions>(TuneMembership);
                silo.Services.AddHostedService<MembershipWatchdog>();
            }
            silo.AddDomuGrains(cluster);
            if (dashboard.Enabled)
            {
                silo.AddDashboard();
            }
        });
        builder.Services.AddDashboardAccess(dashboard);
        return builder;
    }

    /// <summary>
    /// Refuses to start a silo on ports another process listens on. Orleans' listeners share their
    /// ports, so a second silo started with the same command would join the cluster as the newer
    /// "clone" of the first and get the healthy one declared dead.
    /// </summary>
    internal static void EnsureSiloPortsFree(IPAddress address, ClusterSettings cluster)
    {
        foreach (var (key, port) in new[] { ("Orleans:SiloPort", cluster.SiloPort), ("Orleans:GatewayPort", cluster.GatewayPort) })
        {
            var probe = new System.Net.Sockets.TcpListener(address, port);
            try
            {
                probe.Start();
            }
            catch (System.Net.Sockets.SocketException ex) when (ex.SocketErrorCode == System.Net.Sockets.SocketError.AddressAlreadyInUse)
            {
                throw new Microsoft.Extensions.Options.OptionsValidationException(ClusterSettings.Section, typeof(ClusterSettings),
                    [$"{key}: port {port} is already in use (another silo started with the same ports?); give this silo free ports with --Orleans:SiloPort and --Orleans:GatewayPort."]);
            }
            finally
            {
                probe.Stop();
            }
        }
    }

    /// <summary>
    /// What Domu's grains need on any silo, a test cluster's included. With Redis clustering the
    /// simulator's reminder and state live in Redis and survive the loss of any silo; otherwise in memory.
    /// </summary>
    public static ISiloBuilder AddDomuGrains(this ISiloBuilder silo, ClusterSettings? cluster = null)
    {
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddValidatedOptions<WindowOptions>(WindowOptions.Section);
        silo.Services.AddDomuMetricsRegistry().AddIngestValidation().AddSimulator();

        if (cluster?.Clustering == ClusteringKind.Redis)
        {
            var redis = cluster.Redis;
            silo.UseRedisReminderService(o => o.ConfigurationOptions = RedisOptions(redis));
            silo.AddRedisGrainStorage(SimulatorGrain.StorageName, o => o.ConfigurationOptions = RedisOptions(redis));
        }
        else
        {
            silo.UseInMemoryReminderService();
            silo.AddMemoryGrainStorage(SimulatorGrain.StorageName);
        }
        silo.AddStartupTask(
            static (services, _) => services.GetRequiredService<IGrainFactory>()
                .GetGrain<ISimulatorGrain>(ISimulatorGrain.DefaultKey).InitializeAsync());
        return silo;
    }

    /// <summary>
    /// Orleans' defaults declare a silo dead after about a minute and a half; voice monitoring wants
    /// its window back sooner. Each silo probes three others every 2 s; three missed probes make a
    /// suspicion, and two suspicions (or one, in a two-silo cluster) declare the silo dead: about 8 to
    /// 15 s after a silo stops answering.
    /// </summary>
    internal static void TuneMembership(ClusterMembershipOptions options)
    {
        options.ProbeTimeout = TimeSpan.FromSeconds(2);
        options.NumMissedProbesLimit = 3;
        options.NumProbedSilos = 3;
        options.NumVotesForDeathDeclaration = 2;
        options.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
        options.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        options.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(10);
    }

    private static StackExchange.Redis.ConfigurationOptions RedisOptions(string connectionString)
    {
        var options = StackExchange.Redis.ConfigurationOptions.Parse(connectionString);
        // Keep retrying when Redis is briefly away instead of failing the silo's start.
        options.AbortOnConnectFail = false;
        return options;
    }

    /// <summary>Joins the cluster as a client that keeps retrying until a gateway answers.</summary>
    public static IHostApplicationBuilder AddDomuClient(this IHostApplicationBuilder builder)
    {
        var cluster = builder.Configuration.ReadValidated<ClusterSettings>(ClusterSettings.Section);
        AddCommonServices(builder);
        builder.Services.AddSingleton<ILifecycleParticipant<IClusterClientLifecycle>>(sp => sp.GetRequiredService<ClusterReadiness>());
        builder.Services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<ClusterReadiness>());
        builder.Services.AddSingleton<IClientConnectionRetryFilter, RetryUntilConnected>();
        builder.Services.AddHostedService<ClusterReconnector>();

        // Let the web server answer (503 until connected) while the client is still looking for a gateway.
        builder.Services.Configure<HostOptions>(o => o.ServicesStartConcurrently = true);
        // As for the silo: the client is configured in code, not from the "Orleans" section.
        builder.Services.AddOrleansClient(client =>
        {
            if (cluster.Clustering == ClusteringKind.Localhost)
            {
                client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
            }
            else
            {
                var redis = cluster.Redis;
                client.Configure<ClusterOptions>(o => (o.ClusterId, o.ServiceId) = (cluster.ClusterId, cluster.ServiceId))
                    .UseRedisClustering(o => o.ConfigurationOptions = RedisOptions(redis))
                    // Learn of new and departed gateways within seconds (Orleans' default is a minute).
                    .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(5));
            }
            // A call in flight when its silo dies fails after this long (Orleans' default is 30 s).
            client.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10));
        });
        return builder;
    }

    /// <summary>Maps <c>/health/live</c> (the process answers) and <c>/health/ready</c> (Orleans is up).</summary>
    public static IEndpointRouteBuilder MapDomuHealth(this IEndpointRouteBuilder endpoints)
    {
        var probeMethods = new HttpMethodMetadata(["GET", "HEAD"]);
        endpoints.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false }).WithMetadata(probeMethods);
        endpoints.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") })
            .WithMetadata(probeMethods);
        return endpoints;
    }

    private static void AddCommonServices(IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddDomuMetricsRegistry().AddIngestValidation();
        builder.Services.AddSingleton<HostMetrics>();
        builder.Services.AddSingleton<ClusterReadiness>();
        builder.Services.AddHealthChecks().AddCheck<ClusterReadiness>("orleans", tags: ["ready"]);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<ClusterUnavailableHandler>();

        // Orleans 10 logs two Information records per grain placement through its resilience pipeline,
        // and the health-check service logs every unhealthy probe as an error; ClusterReadiness logs
        // the transitions once instead.
        builder.Logging.AddFilter("Polly", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Critical);
        // A failed start is rethrown to Program, which prints a bad setting as one line; anything else
        // still ends the process with its stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        // The watchdog's first check after start-up reports the machine's uptime as a stall.
        builder.Logging.AddFilter("Orleans.Runtime.Watchdog", LogLevel.Error);
        // While a silo is away the client logs each failed connection with a stack trace;
        // ClusterReadiness and the retry filter say it once, plainly.
        builder.Logging.AddFilter("Orleans.Runtime.Messaging", LogLevel.Error);
        builder.Logging.AddFilter("Orleans.Messaging", LogLevel.Error);
    }

    private sealed partial class RetryUntilConnected(ILogger<RetryUntilConnected> logger) : IClientConnectionRetryFilter
    {
        public async Task<bool> ShouldRetryConnectionAttempt(Exception exception, CancellationToken cancellationToken)
        {
            LogRetry(exception.Message);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return false;
            }
            return true;
        }

        [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot reach the Orleans cluster yet ({Reason}); retrying in 2 s")]
        private partial void LogRetry(string reason);
    }
}
