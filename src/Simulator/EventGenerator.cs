using System.Buffers;
using System.Globalization;
using System.Text.Json;
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

    /// <summary>Every reason a generated event can be dropped for, as label values.</summary>
    public static readonly IReadOnlyList<string> DropReasons =
        ["over_batch_size", "not_an_object", "invalid_event", .. Fields.Select(field => "invalid_" + field)];

    /// <summary>The source a tick tries first.</summary>
    public string PrimarySource => (groq ?? synthetic).Name;

    /// <summary>
    /// Exposes, at zero, every tick outcome this configuration can reach and every drop reason, so
    /// that <c>rate()</c> and <c>increase()</c> see the first fallback or drop instead of a series
    /// that appears with it.
    /// </summary>
    public void PublishSeries()
    {
        if (groq is null)
        {
            metrics.Ticks.WithLabels(synthetic.Name, "ok");
        }
        else
        {
            metrics.Ticks.WithLabels(groq.Name, "ok");
            if (options.FallbackToSynthetic)
            {
                metrics.Ticks.WithLabels(synthetic.Name, "fallback");
            }
            else
            {
                metrics.Ticks.WithLabels("none", "failed");
            }
        }
        foreach (var reason in DropReasons)
        {
            metrics.Dropped.WithLabels(reason);
        }
    }

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

        // The simulator, not the model, decides when an event happened. Every other property is
        // copied as written, duplicates included, so the validator judges exactly what the model said.
        var stamped = new ArrayBufferWriter<byte>();
        try
        {
            using var writer = new Utf8JsonWriter(stamped);
            writer.WriteStartObject();
            writer.WriteString("timestamp", stamp);
            foreach (var property in candidate.EnumerateObject())
            {
                if (!property.NameEquals("timestamp"))
                {
                    property.WriteTo(writer);
                }
            }
            writer.WriteEndObject();
        }
        catch (InvalidOperationException)
        {
            // A property name with an escaped lone surrogate (\ud800) cannot be read back as text.
            return "invalid_event";
        }

        var validation = validator.Validate(stamped.WrittenSpan);
        if (validation.Event is { } accepted)
        {
            events.Add(accepted);
            return null;
        }
        // Only the contract's fields become labels, so a model inventing names cannot grow them.
        var problem = validation.Errors.Keys.First();
        return Fields.Contains(problem) ? "invalid_" + problem : "invalid_event";
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
