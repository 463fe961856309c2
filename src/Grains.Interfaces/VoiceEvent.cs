namespace Domu;

/// <summary>One interaction of a voice agent, as accepted by <c>POST /ingest</c>.</summary>
[GenerateSerializer, Immutable, Alias("Domu.VoiceEvent")]
public sealed record VoiceEvent(
    [property: Id(0)] DateTimeOffset Timestamp,
    [property: Id(1)] string SessionId,
    [property: Id(2)] string Intent,
    [property: Id(3)] double LatencyMs,
    [property: Id(4)] bool Success,
    [property: Id(5)] double Confidence);
