namespace Domu.Ingest;

/// <summary>The outcome of validating one event: either the event or every problem found.</summary>
public sealed class IngestValidation
{
    private IngestValidation(VoiceEvent? voiceEvent, IReadOnlyDictionary<string, string[]> errors)
    {
        Event = voiceEvent;
        Errors = errors;
    }

    public VoiceEvent? Event { get; }

    /// <summary>Messages keyed by field name (camelCase), or <c>$</c> for the body as a whole.</summary>
    public IReadOnlyDictionary<string, string[]> Errors { get; }

    public bool IsValid => Event is not null;

    internal static IngestValidation Valid(VoiceEvent voiceEvent) =>
        new(voiceEvent, new Dictionary<string, string[]>());

    internal static IngestValidation Invalid(IReadOnlyDictionary<string, string[]> errors) => new(null, errors);
}
