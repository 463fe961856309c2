namespace Domu.Testing;

/// <summary>
/// Every kind of invalid body the contract names, with the error key it must be reported under and a
/// fragment of the message. Shared by the validator's unit tests and the HTTP tests.
/// </summary>
public static class InvalidEvents
{
    public static readonly string[] Fields = ["timestamp", "sessionId", "intent", "latencyMs", "success", "confidence"];

    public static TheoryData<string, string, string, string> Cases()
    {
        var data = new TheoryData<string, string, string, string>();
        void Add(string name, string body, string key, string fragment) => data.Add(name, body, key, fragment);

        foreach (var field in Fields)
        {
            Add($"{field} missing", SampleEvents.Without(field), field, "is required");
            Add($"{field} null", SampleEvents.With(field, "null"), field, "not null");
        }

        // Wrong JSON types: no coercion.
        Add("latencyMs as a string", SampleEvents.With("latencyMs", "\"250\""), "latencyMs", "must be a number, not a string");
        Add("confidence as a string", SampleEvents.With("confidence", "\"0.95\""), "confidence", "must be a number, not a string");
        Add("latencyMs as a boolean", SampleEvents.With("latencyMs", "true"), "latencyMs", "must be a number, not a boolean");
        Add("latencyMs as an array", SampleEvents.With("latencyMs", "[250]"), "latencyMs", "not an array");
        Add("confidence as an object", SampleEvents.With("confidence", "{\"v\":0.9}"), "confidence", "not an object");
        Add("success as 1", SampleEvents.With("success", "1"), "success", "must be true or false, not a number");
        Add("success as 0", SampleEvents.With("success", "0"), "success", "must be true or false, not a number");
        Add("success as a string", SampleEvents.With("success", "\"true\""), "success", "must be true or false, not a string");
        Add("sessionId as a number", SampleEvents.With("sessionId", "123"), "sessionId", "must be a string, not a number");
        Add("intent as a boolean", SampleEvents.With("intent", "false"), "intent", "must be a string, not a boolean");
        Add("timestamp as a number", SampleEvents.With("timestamp", "1705314600"), "timestamp", "must be a string, not a number");

        // Non-finite, overflowing and out-of-range numbers.
        Add("latencyMs overflowing", SampleEvents.With("latencyMs", "1e400"), "latencyMs", "finite number between 0 and 600000");
        Add("confidence overflowing negative", SampleEvents.With("confidence", "-1e400"), "confidence", "finite number between 0 and 1");
        Add("latencyMs NaN as a string", SampleEvents.With("latencyMs", "\"NaN\""), "latencyMs", "must be a number, not a string");
        Add("latencyMs negative", SampleEvents.With("latencyMs", "-1"), "latencyMs", "between 0 and 600000 milliseconds; got -1");
        Add("latencyMs above the limit", SampleEvents.With("latencyMs", "600000.5"), "latencyMs", "got 600000.5");
        Add("confidence as a percentage", SampleEvents.With("confidence", "95"), "confidence", "between 0 and 1; got 95");
        Add("confidence above 1", SampleEvents.With("confidence", "1.0001"), "confidence", "between 0 and 1");
        Add("confidence negative", SampleEvents.With("confidence", "-0.1"), "confidence", "between 0 and 1");

        // Strings: empty, whitespace, too long, control characters, broken Unicode.
        Add("sessionId empty", SampleEvents.With("sessionId", "\"\""), "sessionId", "must not be empty or whitespace");
        Add("intent whitespace only", SampleEvents.With("intent", "\"   \""), "intent", "must not be empty or whitespace");
        Add("intent over 128 characters", SampleEvents.With("intent", $"\"{new string('x', 129)}\""), "intent", "at most 128 characters after trimming; it has 129");
        Add("sessionId over 128 characters after trimming", SampleEvents.With("sessionId", $"\"  {new string('y', 130)}  \""), "sessionId", "it has 130");
        Add("sessionId with a NUL", SampleEvents.With("sessionId", "\"ab\\u0000c\""), "sessionId", "control characters; found U+0000 at position 3");
        Add("intent with a newline", SampleEvents.With("intent", "\"Book\\nFlight\""), "intent", "control characters; found U+000A");
        Add("intent with a trailing tab", SampleEvents.With("intent", "\"BookFlight\\t\""), "intent", "control characters");
        Add("sessionId with a lone surrogate", SampleEvents.With("sessionId", "\"a\\ud800b\""), "sessionId", "not valid Unicode");

        // Timestamps.
        Add("timestamp not a date", SampleEvents.With("timestamp", "\"yesterday\""), "timestamp", "ISO-8601 date-time with an offset");
        Add("timestamp date only", SampleEvents.With("timestamp", "\"2024-01-15\""), "timestamp", "ISO-8601");
        Add("timestamp without offset", SampleEvents.With("timestamp", "\"2024-01-15T10:30:00.000\""), "timestamp", "with an offset");
        Add("timestamp with a space", SampleEvents.With("timestamp", "\"2024-01-15 10:30:00Z\""), "timestamp", "ISO-8601");
        Add("timestamp on a day that does not exist", SampleEvents.With("timestamp", "\"2024-02-30T10:30:00Z\""), "timestamp", "not a real date-time");
        Add("timestamp with hour 24", SampleEvents.With("timestamp", "\"2024-01-15T24:00:00Z\""), "timestamp", "not a real date-time");
        Add("timestamp with an impossible offset", SampleEvents.With("timestamp", "\"2024-01-15T10:30:00+25:00\""), "timestamp", "not a real date-time");
        Add("timestamp with a lone surrogate", SampleEvents.With("timestamp", "\"2024-01-15\\ud800\""), "timestamp", "not valid Unicode");
        Add("timestamp far in the future", SampleEvents.With("timestamp", "\"2999-01-01T00:00:00Z\""), "timestamp", "ahead of the server clock");

        // Structure.
        Add("duplicated property", SampleEvents.Seed[..^1] + ",\"latencyMs\":300}", "latencyMs", "appears more than once");
        Add("duplicated unknown property", SampleEvents.Seed[..^1] + ",\"note\":1,\"note\":2}", "note", "appears more than once");
        Add("wrong case property name", SampleEvents.Without("latencyMs")[..^1] + ",\"LatencyMs\":250}", "latencyMs", "case-sensitive");
        Add("empty body", "", "$", "empty");
        Add("whitespace body", "  \n ", "$", "empty");
        Add("top-level array", "[" + SampleEvents.Seed + "]", "$", "must be a JSON object, not an array");
        Add("top-level string", "\"event\"", "$", "must be a JSON object, not a string");
        Add("top-level number", "42", "$", "must be a JSON object, not a number");
        Add("top-level null", "null", "$", "must be a JSON object, not null");
        Add("malformed JSON names the position", "{\"timestamp\":}", "$", "not valid JSON at line 1, byte 14");
        Add("malformed JSON on a later line", "{\n  \"latencyMs\": 25 0\n}", "$", "line 2");
        Add("truncated object", SampleEvents.Seed[..^1], "$", "not valid JSON");
        Add("trailing content", SampleEvents.Seed + " {}", "$", "not valid JSON");
        Add("trailing comma", SampleEvents.Seed[..^1] + ",}", "$", "not valid JSON");
        Add("comment", "/* hi */" + SampleEvents.Seed, "$", "not valid JSON");
        Add("NaN literal", SampleEvents.With("latencyMs", "NaN"), "$", "not valid JSON");
        Add("single quotes", SampleEvents.Seed.Replace('"', '\''), "$", "not valid JSON");
        return data;
    }
}
