using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Domu.Ingest;
using Microsoft.Extensions.Logging;

namespace Domu.Simulator;

/// <summary>
/// One simulator tick: asks the primary source (Groq when a key is set, else synthetic), falls back to
/// synthetic events when Groq fails, stamps each candidate with the server clock and keeps only what
/// the ingest validator accepts, counting every drop by reason.
/// </summary>
public sealed partial class EventGenerator(
    SyntheticEventSource synthetic,
    IVoiceEventSource? groq,
    IngestValidator validator,
    TimeProvider time,
    SimulatorOptions options,
    SimulatorMetrics metrics,
    ILogger<EventGenerator> logger)
{
    private static readonly HashSet<string> Fields = ["sessionId", "intent", "latencyMs", "success", "confidence"];

    /// <summary>The source a tick tries first.</summary>
    public string PrimarySource => (groq ?? synthetic).Name;

    public async Task<TickResult> GenerateAsync(CancellationToken cancellationToken)
    {
        var count = options.EventsPerTick;
        if (groq is null)
        {
            var (generated, rejected) = Validate(await synthetic.GenerateAsync(count, cancellationToken), count);
            return Finish(synthetic.Name, "ok", generated, rejected, failure: null);
        }

        var result = await groq.GenerateAsync(count, cancellationToken);
        var failure = result.Failure;
        var groqDropped = new Dictionary<string, int>(StringComparer.Ordinal);
        if (failure is null)
        {
            (var events, groqDropped) = Validate(result, count);
            if (events.Count > 0)
            {
                return Finish(groq.Name, "ok", events, groqDropped, failure: null);
            }
            failure = "no_valid_events";
        }
        if (!options.FallbackToSynthetic)
        {
            metrics.Ticks.WithLabels("none", "failed").Inc();
            return new TickResult(time.GetUtcNow(), "none", "failed", [], groqDropped, failure);
        }
        LogFallback(failure);
        var (fallback, fallbackDropped) = Validate(await synthetic.GenerateAsync(count, cancellationToken), count);
        foreach (var (reason, dropped) in fallbackDropped)
        {
            groqDropped[reason] = groqDropped.GetValueOrDefault(reason) + dropped;
        }
        return Finish(synthetic.Name, "fallback", fallback, groqDropped, failure);
    }

    private TickResult Finish(string source, string outcome, List<VoiceEvent> events, Dictionary<string, int> dropped, string? failure)
    {
        metrics.Ticks.WithLabels(source, outcome).Inc();
        metrics.Generated.WithLabels(source).Inc(events.Count);
        return new TickResult(time.GetUtcNow(), source, outcome, events, dropped, failure);
    }

    /// <summary>Keeps at most <paramref name="count"/> valid events; counts every drop by reason.</summary>
    private (List<VoiceEvent> Events, Dictionary<string, int> Dropped) Validate(SourceResult result, int count)
    {
        var stamp = time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var events = new List<VoiceEvent>(count);
        var dropped = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var candidate in result.Candidates)
        {
            var reason = events.Count == count ? "over_batch_size" : Accept(candidate, stamp, events);
            if (reason is not null)
            {
                dropped[reason] = dropped.GetValueOrDefault(reason) + 1;
                metrics.Dropped.WithLabels(reason).Inc();
            }
        }
        return (events, dropped);
    }

    /// <summary>Adds the candidate to <paramref name="events"/>, or returns why it was dropped.</summary>
    private string? Accept(JsonElement candidate, string stamp, List<VoiceEvent> events)
    {
        if (candidate.ValueKind != JsonValueKind.Object)
        {
            return "not_an_object";
        }

        // Judge what the model wrote, all but its timestamp: the simulator, not the model, decides when
        // an event happened.
        var asWritten = validator.Validate(Encoding.UTF8.GetBytes(candidate.GetRawText()));
        var problem = asWritten.Errors.Keys.FirstOrDefault(key => key != "timestamp");
        if (problem is not null)
        {
            // Only the contract's fields become labels, so a model inventing names cannot grow them.
            return Fields.Contains(problem) ? "invalid_" + problem : "invalid_event";
        }

        var stamped = new JsonObject { ["timestamp"] = stamp };
        foreach (var property in candidate.EnumerateObject())
        {
            if (property.Name != "timestamp")
            {
                stamped[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }
        var validation = validator.Validate(JsonSerializer.SerializeToUtf8Bytes(stamped));
        if (validation.Event is { } accepted)
        {
            events.Add(accepted);
            return null;
        }
        return "invalid_" + validation.Errors.Keys.First();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Groq produced no batch ({Failure}); this tick uses synthetic events")]
    private partial void LogFallback(string failure);
}

/// <summary>What one tick produced.</summary>
public sealed record TickResult(
    DateTimeOffset At,
    string Source,
    string Outcome,
    IReadOnlyList<VoiceEvent> Events,
    IReadOnlyDictionary<string, int> Dropped,
    string? Failure);
