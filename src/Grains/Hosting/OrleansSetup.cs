using Domu.Grains;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;

namespace Domu.Hosting;

/// <summary>
/// The one place where Domu's Orleans side is set up: the Silo host and the Api's embedded mode call
/// <see cref="AddDomuSilo"/>, the Api's client mode calls <see cref="AddDomuClient"/>.
/// </summary>
public static partial class OrleansSetup
{
    /// <summary>Co-hosts a Domu silo: grains, clustering, options, readiness.</summary>
    public static IHostApplicationBuilder AddDomuSilo(this IHostApplicationBuilder builder)
    {
        var cluster = builder.Configuration.ReadValidated<ClusterSettings>(ClusterSettings.Section);
        AddCommonServices(builder);
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => sp.GetRequiredService<ClusterReadiness>());
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, primarySiloEndpoint: null, cluster.ServiceId, cluster.ClusterId)
            .AddDomuGrains());
        return builder;
    }

    /// <summary>What Domu's grains need on any silo, a test cluster's included.</summary>
    public static ISiloBuilder AddDomuGrains(this ISiloBuilder silo)
    {
        silo.Services.TryAddSingleton(TimeProvider.System);
        silo.Services.AddValidatedOptions<WindowOptions>(WindowOptions.Section);
        silo.Services.AddDomuMetricsRegistry().AddIngestValidation().AddSimulator();

        // Reminders and the simulator's state live in memory for now: they survive grain reactivation,
        // not the loss of the silo.
        silo.UseInMemoryReminderService();
        silo.AddMemoryGrainStorage(SimulatorGrain.StorageName);
        silo.AddStartupTask(
            static (services, _) => services.GetRequiredService<IGrainFactory>()
                .GetGrain<ISimulatorGrain>(ISimulatorGrain.DefaultKey).InitializeAsync());
        return silo;
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
        builder.UseOrleansClient(client => client
            .UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId)
            // A call in flight when its silo dies fails after this long (Orleans' default is 30 s).
            .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(10)));
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
        builder.Services.AddSingleton<ClusterReadiness>();
        builder.Services.AddHealthChecks().AddCheck<ClusterReadiness>("orleans", tags: ["ready"]);

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
