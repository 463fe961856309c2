using System.ComponentModel.DataAnnotations;

namespace Domu.Simulator;

/// <summary>The event simulator (configuration section <c>Simulator</c>).</summary>
public sealed class SimulatorOptions
{
    public const string Section = "Simulator";

    /// <summary>Whether a fresh silo starts generating without being asked.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between ticks; at least the reminder minimum (one minute).</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Delay before the first tick after start-up or a start.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan FirstTickDelay { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 100)]
    public int EventsPerTick { get; set; } = 5;

    /// <summary>Whether a tick whose Groq call failed delivers synthetic events instead.</summary>
    public bool FallbackToSynthetic { get; set; } = true;

    /// <summary>Seed of the synthetic source's random numbers; unset, a new seed each start.</summary>
    public int? SyntheticSeed { get; set; }

    [Required]
    public GroqOptions Groq { get; set; } = new();
}

/// <summary>The Groq LLM source (section <c>Simulator:Groq</c>); the key may also come from <c>GROQ_API_KEY</c>.</summary>
public sealed class GroqOptions : IValidatableObject
{
    /// <summary>The API key; when absent the simulator uses synthetic events only.</summary>
    public string? ApiKey { get; set; }

    [Required]
    public string Endpoint { get; set; } = "https://api.groq.com/openai/v1";

    [Required]
    public string Model { get; set; } = "llama-3.1-8b-instant";

    /// <summary>Longest wait for one HTTP answer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Longest a whole tick may spend on Groq, retries and waits included: well under the period, and
    /// under the 30 s in which Orleans expects a reminder tick to finish.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:00:25")]
    public TimeSpan TickBudget { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Attempts per tick, the first included.</summary>
    [Range(1, 10)]
    public int MaxAttempts { get; set; } = 4;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            yield return new ValidationResult("Use an absolute http or https URL, such as https://api.groq.com/openai/v1.", [nameof(Endpoint)]);
        }
        if (RequestTimeout > TickBudget)
        {
            yield return new ValidationResult("RequestTimeout may not be longer than TickBudget.", [nameof(RequestTimeout)]);
        }
    }

    public override string ToString() => $"{Model} at {Endpoint}"; // never the key
}
