using System.Text.Json;

namespace Domu.Simulator;

/// <summary>
/// Realistic voice-agent traffic without a network: intents from SNIPS/MASSIVE-style assistant
/// vocabularies, log-normal latency (median about one second, tail to several), confidence skewed
/// high, failures more likely at low confidence or high latency, and sessions of several turns.
/// </summary>
public sealed class SyntheticEventSource : IVoiceEventSource
{
    // Intent and relative frequency.
    private static readonly (string Intent, int Weight)[] Intents =
    [
        ("GetWeather", 14), ("PlayMusic", 12), ("SetAlarm", 10), ("BookFlight", 6), ("CheckBalance", 8),
        ("BookRestaurant", 6), ("AddToPlaylist", 5), ("SetReminder", 7), ("TransferMoney", 4),
        ("OrderTaxi", 4), ("SearchCreativeWork", 3), ("RateBook", 2), ("SearchScreeningEvent", 3),
        ("TurnOnLights", 6), ("CancelAlarm", 4), ("TrackOrder", 5), ("ResetPassword", 3), ("TalkToAgent", 2),
    ];

    private static readonly int TotalWeight = Intents.Sum(i => i.Weight);

    private const double MedianLatencyMs = 1000;
    private const double LatencySigma = 0.55;

    private readonly Random _random;
    private readonly Lock _lock = new();
    private string _session = "";
    private int _turnsLeft;

    public SyntheticEventSource(int? seed = null) => _random = seed is { } s ? new Random(s) : new Random();

    public string Name => "synthetic";

    public Task<SourceResult> GenerateAsync(int count, CancellationToken cancellationToken)
    {
        var events = new List<JsonElement>(count);
        lock (_lock)
        {
            for (var i = 0; i < count; i++)
            {
                events.Add(JsonSerializer.SerializeToElement(Next(), JsonSerializerOptions.Web));
            }
        }
        return Task.FromResult(new SourceResult(events));
    }

    private SyntheticEvent Next()
    {
        if (_turnsLeft == 0)
        {
            _session = $"sim-{_random.Next():x8}";
            _turnsLeft = 1 + _random.Next(6);
        }
        _turnsLeft--;

        var latency = Math.Clamp(Math.Round(MedianLatencyMs * Math.Exp(LatencySigma * Gaussian()), 1), 40, 30_000);
        // 1 - 0.7·U³: most answers above 0.9, a thin tail down to 0.3.
        var confidence = Math.Round(1 - (0.7 * Math.Pow(_random.NextDouble(), 3)), 3);
        var failureChance = 0.03
            + (confidence < 0.6 ? 0.45 * (0.6 - confidence) / 0.3 : 0)
            + (latency > 2500 ? 0.12 : 0);
        return new SyntheticEvent(
            "", // stamped by the generator from the server clock
            _session,
            PickIntent(),
            latency,
            _random.NextDouble() >= failureChance,
            confidence);
    }

    private string PickIntent()
    {
        var pick = _random.Next(TotalWeight);
        foreach (var (intent, weight) in Intents)
        {
            if ((pick -= weight) < 0)
            {
                return intent;
            }
        }
        return Intents[^1].Intent;
    }

    private double Gaussian() =>
        Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());

    private sealed record SyntheticEvent(
        string Timestamp, string SessionId, string Intent, double LatencyMs, bool Success, double Confidence);
}
