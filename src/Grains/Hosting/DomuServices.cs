using Domu.Grains;
using Domu.Ingest;
using Domu.Simulator;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Prometheus;

namespace Domu.Hosting;

/// <summary>Services shared by the hosts: the metrics registry, ingest validation, the simulator's parts.</summary>
public static partial class DomuServices
{
    /// <summary>One Prometheus registry per host, so several hosts in one process never mix figures.</summary>
    public static IServiceCollection AddDomuMetricsRegistry(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => Metrics.NewCustomRegistry());
        services.TryAddSingleton<IMetricFactory>(sp => Metrics.WithCustomRegistry(sp.GetRequiredService<CollectorRegistry>()));
        services.AddValidatedOptions<MetricsOptions>(MetricsOptions.Section);
        services.TryAddSingleton<EventMetrics>();
        return services;
    }

    /// <summary>The ingest limits and the one validator of events, for <c>POST /ingest</c> and the simulator.</summary>
    public static IServiceCollection AddIngestValidation(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<IngestOptions>(IngestOptions.Section);
        services.TryAddSingleton(sp => new IngestValidator(
            sp.GetRequiredService<IOptions<IngestOptions>>().Value, sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>The simulator's options, sources and tick pipeline.</summary>
    public static IServiceCollection AddSimulator(this IServiceCollection services)
    {
        services.AddValidatedOptions<SimulatorOptions>(SimulatorOptions.Section)
            .Configure<IConfiguration>((options, configuration) =>
            {
                if (string.IsNullOrWhiteSpace(options.Groq.ApiKey))
                {
                    options.Groq.ApiKey = configuration["GROQ_API_KEY"];
                }
            })
            .Validate<IOptions<ReminderOptions>>(
                (options, reminders) => options.Period >= reminders.Value.MinimumReminderPeriod,
                "Simulator:Period must be at least one minute (Orleans' minimum reminder period).");
        services.AddSingleton<SimulatorMetrics>();
        services.AddSingleton(sp =>
        {
            var options = sp.GetRequiredService<IOptions<SimulatorOptions>>().Value;
            var time = sp.GetRequiredService<TimeProvider>();
            var metrics = sp.GetRequiredService<SimulatorMetrics>();
            var logger = sp.GetRequiredService<ILoggerFactory>().CreateLogger("Domu.Simulator");
            IVoiceEventSource? groq = null;
            if (string.IsNullOrWhiteSpace(options.Groq.ApiKey))
            {
                LogNoKey(logger);
            }
            else
            {
                groq = new GroqEventSource(GroqEventSource.CreateChatClient(options.Groq), options.Groq, time, metrics,
                    sp.GetRequiredService<ILogger<GroqEventSource>>());
                LogGroq(logger, options.Groq.Model, options.Groq.Endpoint);
            }
            var generator = new EventGenerator(
                new SyntheticEventSource(options.SyntheticSeed), groq, sp.GetRequiredService<IngestValidator>(),
                time, options, metrics, sp.GetRequiredService<ILogger<EventGenerator>>());
            generator.PublishSeries();
            return generator;
        });
        return services;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No Groq API key (set GROQ_API_KEY to use Groq): the simulator generates synthetic events")]
    private static partial void LogNoKey(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "The simulator asks Groq model {Model} at {Endpoint}")]
    private static partial void LogGroq(ILogger logger, string model, string endpoint);
}
