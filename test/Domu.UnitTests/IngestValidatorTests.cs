using System.Text;
using Domu.Ingest;
using Domu.Testing;
using Microsoft.Extensions.Time.Testing;

namespace Domu.UnitTests;

public sealed class IngestValidatorTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Now);
    private readonly IngestValidator _validator;

    public IngestValidatorTests() => _validator = new IngestValidator(new IngestOptions(), _time);

    private IngestValidation Validate(string json) => _validator.Validate(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void The_seed_event_is_valid_and_read_exactly()
    {
        var result = Validate(SampleEvents.Seed);

        Assert.True(result.IsValid);
        Assert.Empty(result.Errors);
        Assert.Equal(new VoiceEvent(new DateTimeOffset(2024, 1, 15, 10, 30, 0, TimeSpan.Zero), "abc123", "BookFlight", 250, true, 0.95), result.Event);
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public void An_invalid_event_is_rejected_under_the_right_key(string name, string body, string key, string fragment)
    {
        var result = Validate(body);

        Assert.False(result.IsValid, name);
        Assert.Null(result.Event);
        Assert.True(result.Errors.ContainsKey(key), $"{name}: expected an error for '{key}', got {string.Join("; ", result.Errors.Keys)}");
        Assert.Contains(result.Errors[key], m => m.Contains(fragment, StringComparison.Ordinal));
    }

    public static TheoryData<string, string, string, string> InvalidCases() => InvalidEvents.Cases();

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var body = """{"timestamp":"soon","sessionId":"","latencyMs":"250","success":1,"confidence":95}""";

        var result = Validate(body);

        Assert.Equal(["timestamp", "sessionId", "latencyMs", "success", "confidence", "intent"], result.Errors.Keys);
        Assert.All(result.Errors.Values, messages => Assert.Single(messages));
    }

    [Fact]
    public void Unknown_properties_are_ignored_whatever_their_shape()
    {
        var body = SampleEvents.Seed[..^1] + ""","agent":{"id":"a1","tags":["x",{"y":[1,2]}]},"extra":null}""";

        var result = Validate(body);

        Assert.True(result.IsValid);
        Assert.Equal(250, result.Event!.LatencyMs);
    }

    [Fact]
    public void Text_fields_are_trimmed_and_counted_in_characters_not_utf16_units()
    {
        var emoji = string.Concat(Enumerable.Repeat("😀", 128));
        var body = SampleEvents.With("sessionId", "\"  s-42 \"").Replace("\"BookFlight\"", $"\"{emoji}\"", StringComparison.Ordinal);

        var result = Validate(body);

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal("s-42", result.Event!.SessionId);
        Assert.Equal(emoji, result.Event.Intent);
    }

    [Theory]
    [InlineData("2024-01-15T10:30:00Z", 0, 0)]
    [InlineData("2024-01-15T12:30:00.5+02:00", 120, 5_000_000)]
    [InlineData("2024-01-15T05:00:00.123456789-05:30", -330, 1_234_567)]
    [InlineData("2024-01-15t10:30:00z", 0, 0)]
    public void Timestamps_with_an_offset_are_accepted(string timestamp, int offsetMinutes, long fractionTicks)
    {
        var result = Validate(SampleEvents.With("timestamp", $"\"{timestamp}\""));

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal(TimeSpan.FromMinutes(offsetMinutes), result.Event!.Timestamp.Offset);
        Assert.Equal(new DateTimeOffset(2024, 1, 15, 10, 30, 0, TimeSpan.Zero).UtcTicks + fractionTicks, result.Event.Timestamp.UtcTicks);
    }

    [Fact]
    public void A_timestamp_within_the_clock_skew_is_accepted_and_one_beyond_it_is_not()
    {
        var within = Now.AddMinutes(5).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);
        var beyond = Now.AddMinutes(5).AddMilliseconds(1).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture);

        Assert.True(Validate(SampleEvents.With("timestamp", $"\"{within}\"")).IsValid);
        var rejected = Validate(SampleEvents.With("timestamp", $"\"{beyond}\""));
        Assert.Contains("ahead of the server clock", Assert.Single(rejected.Errors["timestamp"]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_clock_skew_follows_the_time_provider()
    {
        var body = SampleEvents.With("timestamp", "\"2026-12-03T12:10:00Z\"");
        Assert.False(Validate(body).IsValid);

        _time.Advance(TimeSpan.FromMinutes(5));

        Assert.True(Validate(body).IsValid);
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("-0", 0)]
    [InlineData("600000", 600000)]
    [InlineData("0.5", 0.5)]
    [InlineData("2.5e2", 250)]
    [InlineData("1e-400", 0)]
    public void Latency_bounds_are_inclusive(string raw, double expected)
    {
        var result = Validate(SampleEvents.With("latencyMs", raw));

        Assert.True(result.IsValid, string.Join("; ", result.Errors.SelectMany(e => e.Value)));
        Assert.Equal(expected, result.Event!.LatencyMs);
    }

    [Fact]
    public void The_latency_limit_comes_from_configuration()
    {
        var strict = new IngestValidator(new IngestOptions { MaxLatencyMs = 1000 }, _time);

        var result = strict.Validate(Encoding.UTF8.GetBytes(SampleEvents.With("latencyMs", "1000.5")));

        Assert.Contains("between 0 and 1000 milliseconds", Assert.Single(result.Errors["latencyMs"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Bytes_that_are_not_utf8_are_rejected_with_their_offset()
    {
        var bytes = Encoding.UTF8.GetBytes(SampleEvents.Seed);
        var at = Array.IndexOf(bytes, (byte)'a'); // the a of "timestamp"
        bytes[at] = 0xFF;

        var result = _validator.Validate(bytes);

        Assert.Equal("The request body is not valid UTF-8 (the first bad byte is byte 9).", Assert.Single(result.Errors["$"]));
    }

    [Fact]
    public void An_escaped_lone_surrogate_in_a_property_name_is_reported_with_the_other_problems()
    {
        var result = Validate(SampleEvents.With("confidence", "2")[..^1] + ",\"\\udc00\":1}");

        Assert.Contains("not valid Unicode", Assert.Single(result.Errors["$"]), StringComparison.Ordinal);
        Assert.Contains("between 0 and 1", Assert.Single(result.Errors["confidence"]), StringComparison.Ordinal);
    }

    [Fact]
    public void The_clock_skew_message_uses_the_gregorian_calendar_under_any_culture()
    {
        var culture = System.Globalization.CultureInfo.CurrentCulture;
        System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.GetCultureInfo("th-TH");
        try
        {
            var result = Validate(SampleEvents.With("timestamp", "\"2099-01-15T10:30:00Z\""));

            Assert.Contains("(2026-12-03T12:00:00.000Z)", Assert.Single(result.Errors["timestamp"]), StringComparison.Ordinal);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = culture;
        }
    }

    [Fact]
    public void Deep_nesting_in_an_ignored_property_is_malformed_not_a_crash()
    {
        var body = SampleEvents.Seed[..^1] + ",\"x\":" + new string('[', 1000) + new string(']', 1000) + "}";

        var result = Validate(body);

        Assert.Contains("not valid JSON", Assert.Single(result.Errors["$"]), StringComparison.Ordinal);
    }
}
