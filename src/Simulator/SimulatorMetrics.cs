using Prometheus;

namespace Domu.Simulator;

/// <summary>The simulator's Prometheus metrics, in the host's registry.</summary>
public sealed class SimulatorMetrics
{
    public SimulatorMetrics(IMetricFactory factory)
    {
        ArgumentNullException.ThrowIfNull(factory);
        Ticks = factory.CreateCounter("domu_simulator_ticks_total",
            "Simulator ticks, by the source that produced the batch and the outcome.", ["source", "outcome"]);
        Generated = factory.CreateCounter("domu_simulator_events_generated_total",
            "Simulated events delivered to the window, by source.", ["source"]);
        Dropped = factory.CreateCounter("domu_simulator_events_dropped_total",
            "Generated events dropped by validation, by reason.", ["reason"]);
        LlmDuration = factory.CreateHistogram("domu_simulator_llm_request_duration_seconds",
            "Duration of each LLM HTTP call, by outcome.",
            new HistogramConfiguration
            {
                LabelNames = ["outcome"],
                Buckets = [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
            });
        LlmTokens = factory.CreateCounter("domu_simulator_llm_tokens_total",
            "Tokens the LLM reported using, by kind (prompt or completion).", ["kind"]);
    }

    public Counter Ticks { get; }

    public Counter Generated { get; }

    public Counter Dropped { get; }

    public Histogram LlmDuration { get; }

    public Counter LlmTokens { get; }
}
