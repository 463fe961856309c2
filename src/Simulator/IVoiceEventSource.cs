using System.Text.Json;

namespace Domu.Simulator;

/// <summary>Something that produces candidate voice events (raw JSON objects, validated later).</summary>
public interface IVoiceEventSource
{
    /// <summary><c>groq</c> or <c>synthetic</c>.</summary>
    string Name { get; }

    Task<SourceResult> GenerateAsync(int count, CancellationToken cancellationToken);
}

/// <summary>What a source produced: candidates, or the kind of failure that stopped it.</summary>
public sealed record SourceResult(IReadOnlyList<JsonElement> Candidates, string? Failure = null)
{
    public static SourceResult Failed(string failure) => new([], failure);
}
