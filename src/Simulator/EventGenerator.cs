using System.Globalization;
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
    /// <summary>The source a tick tries first.</summary>
    public string PrimarySource => (groq ?? synthetic).Name;

    public async Task<TickResult> GenerateAsync(CancellationToken cancellationToken)
    {
        var count = options.EventsPerTick;
        if (groq is null)
        {
            return Finish(synthetic.Name, "ok", await synthetic.GenerateAsync(count, cancellationToken), failure: null);
        }

        var result = await groq.GenerateAsync(count, cancellationToken);
        if (result.Failure is null)
        {
            return Finish(groq.Name, "ok", result, failure: null);
        }
        if (!options.FallbackToSynthetic)
        {
            metrics.Ticks.WithLabels("none", "failed").Inc();
            return new TickResult(time.GetUtcNow(), "none", "failed", [], new Dictionary<string, int>(), result.Failure);
        }
        LogFallback(result.Failure);
        return Finish(synthetic.Name, "fallback", await synthetic.GenerateAsync(count, cancellationToken), result.Failure);
    }

    private TickResult Finish(string source, string outcome, SourceResult result, string? failure)
    {
        var now = time.GetUtcNow();
        var stamp = now.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
        var events = new List<VoiceEvent>(result.Candidates.Count);
        var dropped = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var candidate in result.Candidates)
        {
            var reason = Accept(candidate, stamp, events);
            if (reason is not null)
            {
                dropped[reason] = dropped.GetValueOrDefault(reason) + 1;
                metrics.Dropped.WithLabels(reason).Inc();
            }
        }

        metrics.Ticks.WithLabels(source, outcome).Inc();
        metrics.Generated.WithLabels(source).Inc(events.Count);
        return new TickResult(now, source, outcome, events, dropped, failure);
    }

    /// <summary>Adds the candidate to <paramref name="events"/>, or returns why it was dropped.</summary>
    private string? Accept(JsonElement candidate, string stamp, List<VoiceEvent> events)
    {
        if (candidate.ValueKind != JsonValueKind.Object)
        {
            return "not_an_object";
        }

        // The simulator, not the model, decides when an event happened.
        var json = JsonObject.Create(candidate)!;
        json["timestamp"] = stamp;
        var validation = validator.Validate(JsonSerializer.SerializeToUtf8Bytes(json));
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
