using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Unicode;

namespace Domu.Ingest;

/// <summary>
/// Strict reader of one voice event in JSON: no coercion, every problem reported at once, keyed by
/// field. Used by <c>POST /ingest</c> and by the simulator for what the LLM generates.
/// </summary>
public sealed partial class IngestValidator(IngestOptions options, TimeProvider timeProvider)
{
    /// <summary>The error key for problems with the body as a whole.</summary>
    public const string BodyKey = "$";

    public const int MaxTextLength = 128;

    private const string Timestamp = "timestamp";
    private const string SessionId = "sessionId";
    private const string Intent = "intent";
    private const string LatencyMs = "latencyMs";
    private const string Success = "success";
    private const string Confidence = "confidence";

    private static readonly string[] FieldNames = [Timestamp, SessionId, Intent, LatencyMs, Success, Confidence];

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    public IngestValidation Validate(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return Invalid(BodyKey, "The request body is empty; send one JSON object with the fields "
                + string.Join(", ", FieldNames) + ".");
        }

        if (!Utf8.IsValid(utf8Json))
        {
            return Invalid(BodyKey, $"The request body is not valid UTF-8 (the first bad byte is byte {FirstInvalidUtf8(utf8Json) + 1}).");
        }

        var errors = new Errors();
        var fields = new Fields();
        try
        {
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return Invalid(BodyKey, $"The request body must be a JSON object, not {Describe(reader.TokenType)}.");
            }

            HashSet<string>? otherNames = null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var field = FieldOf(ref reader);
                if (field < 0)
                {
                    var name = field == InvalidName ? null : PropertyName(ref reader);
                    reader.Read();
                    reader.Skip();
                    if (name is null)
                    {
                        errors.Add(BodyKey, "A property name contains an escape sequence that is not valid Unicode.");
                        continue;
                    }
                    if (!(otherNames ??= new(StringComparer.Ordinal)).Add(name))
                    {
                        errors.Add(Shorten(name), $"The property '{Shorten(name)}' appears more than once.");
                    }
                    var known = Array.Find(FieldNames, f => string.Equals(f, name, StringComparison.OrdinalIgnoreCase));
                    if (known is not null)
                    {
                        errors.Add(known, $"Property names are case-sensitive: found '{name}', expected '{known}'.");
                    }
                    continue;
                }

                reader.Read();
                if (fields.Seen(field))
                {
                    errors.Add(FieldNames[field], $"The {FieldNames[field]} field appears more than once.");
                    reader.Skip();
                    continue;
                }
                fields.MarkSeen(field);
                ReadField(ref reader, field, ref fields, errors);
            }

            // Reading past the object makes the reader reject any trailing content.
            while (reader.Read())
            {
            }
        }
        catch (JsonException ex)
        {
            return Invalid(BodyKey, Malformed(ex));
        }

        for (var i = 0; i < FieldNames.Length; i++)
        {
            if (!fields.Seen(i))
            {
                errors.Add(FieldNames[i], $"The {FieldNames[i]} field is required.");
            }
        }

        if (errors.Count > 0)
        {
            return IngestValidation.Invalid(errors.ToDictionary());
        }

        return IngestValidation.Valid(new VoiceEvent(
            fields.Timestamp!.Value,
            fields.SessionId!,
            fields.Intent!,
            fields.LatencyMs!.Value,
            fields.Success!.Value,
            fields.Confidence!.Value));
    }

    private static string? PropertyName(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private const int InvalidName = -2;

    private static int FieldOf(ref Utf8JsonReader reader)
    {
        try
        {
            return KnownField(ref reader);
        }
        catch (InvalidOperationException)
        {
            // Comparing unescapes the name, which fails for an escaped lone surrogate (\ud800).
            return InvalidName;
        }
    }

    private static int KnownField(ref Utf8JsonReader reader)
    {
        if (reader.ValueTextEquals("timestamp"u8)) return 0;
        if (reader.ValueTextEquals("sessionId"u8)) return 1;
        if (reader.ValueTextEquals("intent"u8)) return 2;
        if (reader.ValueTextEquals("latencyMs"u8)) return 3;
        if (reader.ValueTextEquals("success"u8)) return 4;
        if (reader.ValueTextEquals("confidence"u8)) return 5;
        return -1;
    }

    private void ReadField(ref Utf8JsonReader reader, int field, ref Fields fields, Errors errors)
    {
        switch (field)
        {
            case 0:
                fields.Timestamp = ReadTimestamp(ref reader, errors);
                break;
            case 1:
                fields.SessionId = ReadText(ref reader, SessionId, errors);
                break;
            case 2:
                fields.Intent = ReadText(ref reader, Intent, errors);
                break;
            case 3:
                fields.LatencyMs = ReadNumber(ref reader, LatencyMs, options.MaxLatencyMs, " milliseconds", errors);
                break;
            case 4:
                if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                {
                    fields.Success = reader.GetBoolean();
                }
                else
                {
                    WrongType(ref reader, Success, "true or false", errors);
                }
                break;
            default:
                fields.Confidence = ReadNumber(ref reader, Confidence, 1, "", errors);
                break;
        }
    }

    private static string? ReadText(ref Utf8JsonReader reader, string name, Errors errors)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            WrongType(ref reader, name, "a string", errors);
            return null;
        }

        string raw;
        try
        {
            raw = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            // The body is valid UTF-8, so only an escaped lone surrogate (\ud800) gets here.
            errors.Add(name, $"The {name} field is not valid Unicode text.");
            return null;
        }

        var problems = errors.Count;
        for (var i = 0; i < raw.Length; i++)
        {
            if (char.IsControl(raw[i]))
            {
                errors.Add(name, $"The {name} field must not contain control characters; found U+{(int)raw[i]:X4} at position {i + 1}.");
                break;
            }
        }

        var text = raw.Trim();
        if (text.Length == 0)
        {
            errors.Add(name, $"The {name} field must not be empty or whitespace.");
        }
        else
        {
            var length = CountCharacters(text);
            if (length > MaxTextLength)
            {
                errors.Add(name, $"The {name} field must be at most {MaxTextLength} characters after trimming; it has {length}.");
            }
        }
        return errors.Count == problems ? text : null;
    }

    private DateTimeOffset? ReadTimestamp(ref Utf8JsonReader reader, Errors errors)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            WrongType(ref reader, Timestamp, "a string", errors);
            return null;
        }

        string raw;
        try
        {
            raw = reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            errors.Add(Timestamp, "The timestamp field is not valid Unicode text.");
            return null;
        }

        var match = TimestampPattern().Match(raw);
        if (!match.Success)
        {
            errors.Add(Timestamp, $"The timestamp field must be an ISO-8601 date-time with an offset (Z or ±hh:mm), such as 2024-01-15T10:30:00.000Z; got '{Shorten(raw)}'.");
            return null;
        }
        if (!TryParseTimestamp(match, out var timestamp))
        {
            errors.Add(Timestamp, $"The timestamp field is not a real date-time (a day, hour, minute, second or offset is out of range); got '{Shorten(raw)}'.");
            return null;
        }

        var now = timeProvider.GetUtcNow();
        if (timestamp - now > options.MaxClockSkew)
        {
            errors.Add(Timestamp, string.Create(CultureInfo.InvariantCulture,
                $"The timestamp {raw} is more than {options.MaxClockSkew:c} ahead of the server clock ({now.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ})."));
            return null;
        }
        return timestamp;
    }

    private static bool TryParseTimestamp(Match match, out DateTimeOffset timestamp)
    {
        // Up to 7 fractional digits are representable; finer ones (nanoseconds) are truncated.
        var fraction = match.Groups["fraction"].Value;
        fraction = fraction.Length > 7 ? fraction[..7] : fraction.PadRight(7, '0');
        var offset = match.Groups["offset"].Value is "Z" or "z" ? "+00:00" : match.Groups["offset"].Value;
        var normalized = $"{match.Groups["date"].Value}T{match.Groups["time"].Value}.{fraction}{offset}";
        return DateTimeOffset.TryParseExact(normalized, "yyyy-MM-dd'T'HH:mm:ss.fffffffzzz",
            CultureInfo.InvariantCulture, DateTimeStyles.None, out timestamp);
    }

    private static double? ReadNumber(ref Utf8JsonReader reader, string name, double max, string unit, Errors errors)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            WrongType(ref reader, name, "a number", errors);
            return null;
        }

        var inRange = reader.TryGetDouble(out var value) && double.IsFinite(value) && value >= 0 && value <= max;
        if (!inRange)
        {
            var text = Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
            errors.Add(name, $"The {name} field must be a finite number between 0 and {max.ToString(CultureInfo.InvariantCulture)}{unit}; got {Shorten(text)}.");
            return null;
        }
        return value == 0 ? 0 : value;
    }

    private static void WrongType(ref Utf8JsonReader reader, string name, string expected, Errors errors)
    {
        errors.Add(name, $"The {name} field must be {expected}, not {Describe(reader.TokenType)}.");
        reader.Skip();
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Malformed(JsonException ex)
    {
        // The reader appends its own zero-based position; state it once, one-based.
        var message = ex.Message;
        var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        if (cut >= 0)
        {
            message = message[..cut];
        }
        message = message.Replace(" Change the reader options.", "", StringComparison.Ordinal);
        var line = (ex.LineNumber ?? 0) + 1;
        var position = (ex.BytePositionInLine ?? 0) + 1;
        return $"The request body is not valid JSON at line {line}, byte {position}: {message}";
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        var offset = 0;
        while (Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }
        return offset;
    }

    private static int CountCharacters(string text)
    {
        var count = 0;
        foreach (var _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "...";

    private static IngestValidation Invalid(string key, string message) =>
        IngestValidation.Invalid(new Dictionary<string, string[]> { [key] = [message] });

    [GeneratedRegex(@"^(?<date>\d{4}-\d{2}-\d{2})[Tt](?<time>\d{2}:\d{2}:\d{2})(?:\.(?<fraction>\d{1,9}))?(?<offset>[Zz]|[+-]\d{2}:\d{2})$", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 100)]
    private static partial Regex TimestampPattern();

    private struct Fields
    {
        private int _seen;
        public DateTimeOffset? Timestamp;
        public string? SessionId;
        public string? Intent;
        public double? LatencyMs;
        public bool? Success;
        public double? Confidence;

        public readonly bool Seen(int field) => (_seen & (1 << field)) != 0;

        public void MarkSeen(int field) => _seen |= 1 << field;
    }

    private sealed class Errors
    {
        private readonly Dictionary<string, List<string>> _byField = new(StringComparer.Ordinal);

        public int Count { get; private set; }

        public void Add(string field, string message)
        {
            if (!_byField.TryGetValue(field, out var list))
            {
                _byField[field] = list = [];
            }
            list.Add(message);
            Count++;
        }

        public Dictionary<string, string[]> ToDictionary() =>
            _byField.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);
    }
}
