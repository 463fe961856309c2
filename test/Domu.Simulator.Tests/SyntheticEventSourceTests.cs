using System.Text;
using System.Text.Json;
using Domu.Ingest;

namespace Domu.Simulator.Tests;

public sealed class SyntheticEventSourceTests
{
    private static readonly IngestValidator Validator = new(new IngestOptions(), TimeProvider.System);

    private static async Task<List<VoiceEvent>> Generate(int seed, int count)
    {
        var result = await new SyntheticEventSource(seed).GenerateAsync(count, CancellationToken.None);
        return result.Candidates.Select(c =>
        {
            var json = JsonSerializer.Serialize(c).Replace("\"timestamp\":\"\"", "\"timestamp\":\"2026-01-01T00:00:00Z\"", StringComparison.Ordinal);
            var validation = Validator.Validate(Encoding.UTF8.GetBytes(json));
            Assert.True(validation.IsValid, json + " " + string.Join("; ", validation.Errors.SelectMany(e => e.Value)));
            return validation.Event!;
        }).ToList();
    }

    [Fact]
    public async Task The_same_seed_gives_the_same_events()
    {
        Assert.Equal(await Generate(42, 50), await Generate(42, 50));
        Assert.NotEqual(await Generate(42, 50), await Generate(43, 50));
    }

    [Fact]
    public async Task Twenty_thousand_events_look_like_voice_assistant_traffic()
    {
        var events = await Generate(2026, 20_000);
        var latencies = events.Select(e => e.LatencyMs).Order().ToList();
        var median = latencies[latencies.Count / 2];
        var p99 = latencies[(int)(latencies.Count * 0.99)];
        var successRate = events.Count(e => e.Success) / (double)events.Count;
        var lowConfidence = events.Where(e => e.Confidence < 0.6).ToList();
        var highConfidence = events.Where(e => e.Confidence >= 0.9).ToList();

        Assert.InRange(median, 900, 1100);
        Assert.InRange(p99, 2500, 6000);
        Assert.InRange(successRate, 0.90, 0.95);
        Assert.InRange(events.Average(e => e.Confidence), 0.8, 0.9);
        Assert.True(highConfidence.Count > events.Count / 2, "confidence should be skewed high");
        Assert.True(
            lowConfidence.Count(e => !e.Success) / (double)lowConfidence.Count > 3 * highConfidence.Count(e => !e.Success) / (double)highConfidence.Count,
            "failures should be likelier at low confidence");
        Assert.True(events.Select(e => e.Intent).Distinct().Count() >= 15);
        Assert.Contains("BookFlight", events.Select(e => e.Intent));
    }

    [Fact]
    public async Task Sessions_span_several_turns()
    {
        var events = await Generate(5, 1_000);
        var turns = events.GroupBy(e => e.SessionId).Select(g => g.Count()).ToList();

        Assert.InRange(turns.Average(), 2.5, 4.5);
        Assert.Equal(6, turns.Max());
        Assert.All(events.Select(e => e.SessionId), s => Assert.Matches("^sim-[0-9a-f]{8}$", s));
    }
}
