using System.Text.Json.Nodes;
using Domu.Ingest;
using Microsoft.Extensions.Logging;
using Prometheus;

namespace Domu.Simulator.Tests;

/// <summary>
/// Every Groq behaviour the simulator must handle, played back by a fake server on loopback; each test
/// asserts which events reached the batch and which counters moved.
/// </summary>
public sealed class GroqTickTests : IAsyncLifetime
{
    private const string Key = "gsk_test_secret_key_0123456789";
    private readonly ListLogger<GroqEventSource> _groqLog = new();
    private readonly ListLogger<EventGenerator> _generatorLog = new();
    private readonly SimulatorMetrics _metrics = new(Metrics.WithCustomRegistry(Metrics.NewCustomRegistry()));
    private FakeGroqServer _groq = null!;

    public async ValueTask InitializeAsync() => _groq = await FakeGroqServer.StartAsync();

    public async ValueTask DisposeAsync() => await _groq.DisposeAsync();

    private EventGenerator Generator(Action<SimulatorOptions>? configure = null)
    {
        var options = new SimulatorOptions
        {
            EventsPerTick = 5,
            Groq = new GroqOptions
            {
                ApiKey = Key,
                Endpoint = _groq.Endpoint,
                RequestTimeout = TimeSpan.FromSeconds(2),
                TickBudget = TimeSpan.FromSeconds(10),
                MaxAttempts = 3,
            },
        };
        configure?.Invoke(options);
        var groq = new GroqEventSource(GroqEventSource.CreateChatClient(options.Groq), options.Groq, TimeProvider.System,
            _metrics, _groqLog, backoffBase: TimeSpan.FromMilliseconds(20));
        return new EventGenerator(new SyntheticEventSource(seed: 7), groq, new IngestValidator(new IngestOptions(), TimeProvider.System),
            TimeProvider.System, options, _metrics, _generatorLog);
    }

    private double Ticks(string source, string outcome) => _metrics.Ticks.WithLabels(source, outcome).Value;

    private double Dropped(string reason) => _metrics.Dropped.WithLabels(reason).Value;

    private void AssertFellBackToSynthetic(TickResult tick, string failure, int requests)
    {
        Assert.Equal("synthetic", tick.Source);
        Assert.Equal("fallback", tick.Outcome);
        Assert.Equal(failure, tick.Failure);
        Assert.Equal(5, tick.Events.Count);
        Assert.All(tick.Events, e => Assert.StartsWith("sim-", e.SessionId, StringComparison.Ordinal));
        Assert.Equal(requests, _groq.Requests.Count);
        Assert.Equal(1, Ticks("synthetic", "fallback"));
        Assert.Equal(0, Ticks("groq", "ok"));
        Assert.Equal(5, _metrics.Generated.WithLabels("synthetic").Value);
        Assert.DoesNotContain(Key, _groqLog.Text + _generatorLog.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true, "synthetic", "fallback")]
    [InlineData(false, "none", "failed")]
    public async Task Published_series_start_at_zero_for_every_reachable_tick_outcome_and_drop_reason(bool fallback, string failedSource, string failedOutcome)
    {
        var registry = Metrics.NewCustomRegistry();
        var metrics = new SimulatorMetrics(Metrics.WithCustomRegistry(registry));
        var options = new SimulatorOptions { FallbackToSynthetic = fallback, Groq = new GroqOptions { ApiKey = Key, Endpoint = _groq.Endpoint } };
        var groq = new GroqEventSource(GroqEventSource.CreateChatClient(options.Groq), options.Groq, TimeProvider.System, metrics, _groqLog);
        new EventGenerator(new SyntheticEventSource(seed: 7), groq, new IngestValidator(new IngestOptions(), TimeProvider.System),
            TimeProvider.System, options, metrics, _generatorLog).PublishSeries();

        using var stream = new MemoryStream();
        await registry.CollectAndExportAsTextAsync(stream, TestContext.Current.CancellationToken);
        var text = System.Text.Encoding.UTF8.GetString(stream.ToArray());

        Assert.Contains("domu_simulator_ticks_total{source=\"groq\",outcome=\"ok\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains($"domu_simulator_ticks_total{{source=\"{failedSource}\",outcome=\"{failedOutcome}\"}} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("outcome=\"" + (fallback ? "failed" : "fallback") + "\"", text, StringComparison.Ordinal);
        Assert.Equal(8, EventGenerator.DropReasons.Count);
        Assert.All(EventGenerator.DropReasons, reason =>
            Assert.Contains($"domu_simulator_events_dropped_total{{reason=\"{reason}\"}} 0\n", text, StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_valid_answer_becomes_the_batch_stamped_with_the_server_clock()
    {
        _groq.ThenEvents(5);
        var before = DateTimeOffset.UtcNow;

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("groq", "ok", null), (tick.Source, tick.Outcome, tick.Failure));
        Assert.Equal([400.0, 500, 600, 700, 800], tick.Events.Select(e => e.LatencyMs));
        Assert.Equal([true, false, true, true, true], tick.Events.Select(e => e.Success));
        Assert.All(tick.Events, e => Assert.InRange(e.Timestamp, before, DateTimeOffset.UtcNow));
        Assert.Empty(tick.Dropped);
        Assert.Equal(1, Ticks("groq", "ok"));
        Assert.Equal(5, _metrics.Generated.WithLabels("groq").Value);
        Assert.Equal(120, _metrics.LlmTokens.WithLabels("prompt").Value);
        Assert.Equal(300, _metrics.LlmTokens.WithLabels("completion").Value);
        Assert.Equal(1, _metrics.LlmDuration.WithLabels("ok").Count);
    }

    [Fact]
    public async Task The_request_uses_json_mode_the_model_the_key_and_a_prompt_with_the_time_and_count()
    {
        _groq.ThenEvents(5);

        await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        var (authorization, body) = Assert.Single(_groq.Requests);
        Assert.Equal($"Bearer {Key}", authorization);
        Assert.Equal("llama-3.1-8b-instant", (string)body["model"]!);
        Assert.Equal("json_object", (string)body["response_format"]!["type"]!);
        var prompt = string.Join("\n", body["messages"]!.AsArray().Select(m => (string)m!["content"]!));
        Assert.Contains("Generate 5 interactions as {\"events\":[...]}", prompt, StringComparison.Ordinal);
        Assert.Contains($"The current time is {DateTimeOffset.UtcNow:yyyy-MM-dd}", prompt, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_outer_markdown_fence_is_accepted()
    {
        _groq.ThenContent("```json\n" + FakeGroqServer.EventsJson(3) + "\n```");

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("groq", "ok"), (tick.Source, tick.Outcome));
        Assert.Equal(3, tick.Events.Count);
    }

    [Fact]
    public async Task Prose_around_the_json_is_a_counted_failure_that_falls_back()
    {
        _groq.ThenContent("Here are your events: " + FakeGroqServer.EventsJson(3) + " Enjoy!");

        AssertFellBackToSynthetic(await Generator().GenerateAsync(TestContext.Current.CancellationToken), "not_json", requests: 1);
    }

    [Fact]
    public async Task Another_top_level_shape_is_a_counted_failure()
    {
        _groq.ThenContent("""[{"intent":"BookFlight"}]""");

        AssertFellBackToSynthetic(await Generator().GenerateAsync(TestContext.Current.CancellationToken), "wrong_shape", requests: 1);
    }

    [Fact]
    public async Task Empty_content_is_a_counted_failure()
    {
        _groq.ThenContent("");

        AssertFellBackToSynthetic(await Generator().GenerateAsync(TestContext.Current.CancellationToken), "empty", requests: 1);
    }

    [Fact]
    public async Task Null_content_is_a_counted_failure()
    {
        _groq.ThenContent(null);

        AssertFellBackToSynthetic(await Generator().GenerateAsync(TestContext.Current.CancellationToken), "empty", requests: 1);
    }

    [Fact]
    public async Task An_answer_without_choices_is_a_counted_failure()
    {
        _groq.ThenNoChoices();

        AssertFellBackToSynthetic(await Generator().GenerateAsync(TestContext.Current.CancellationToken), "no_choices", requests: 1);
    }

    [Fact]
    public async Task A_truncated_answer_is_a_counted_failure_even_when_it_parses()
    {
        _groq.ThenContent(FakeGroqServer.EventsJson(2), finishReason: "length");

        AssertFellBackToSynthetic(await Generator().GenerateAsync(TestContext.Current.CancellationToken), "truncated", requests: 1);
    }

    [Fact]
    public async Task Invalid_events_are_dropped_one_by_one_with_their_reason_and_valid_ones_kept()
    {
        var events = JsonNode.Parse(FakeGroqServer.EventsJson(2))!["events"]!.AsArray();
        events.Add(JsonNode.Parse("""{"sessionId":"x","intent":"PlayMusic","latencyMs":"250","success":true,"confidence":0.9}"""));
        events.Add(JsonNode.Parse("""{"sessionId":"x","intent":"PlayMusic","latencyMs":250,"success":true,"confidence":95}"""));
        events.Add(JsonNode.Parse("""{"sessionId":"x","latencyMs":250,"success":true,"confidence":0.9}"""));
        events.Add(JsonNode.Parse("""{"sessionId":"x","intent":"PlayMusic","latencyMs":250,"success":"yes","confidence":0.9}"""));
        events.Add(JsonNode.Parse("42"));
        _groq.ThenContent(new JsonObject { ["events"] = events.DeepClone() }.ToJsonString());

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("groq", "ok"), (tick.Source, tick.Outcome));
        Assert.Equal(["llm-0", "llm-0"], tick.Events.Select(e => e.SessionId));
        Assert.Equal(new Dictionary<string, int>
        {
            ["invalid_latencyMs"] = 1,
            ["invalid_confidence"] = 1,
            ["invalid_intent"] = 1,
            ["invalid_success"] = 1,
            ["not_an_object"] = 1,
        }, tick.Dropped);
        Assert.Equal(1, Dropped("invalid_confidence"));
        Assert.Equal(1, Dropped("not_an_object"));
        Assert.Equal(2, _metrics.Generated.WithLabels("groq").Value);
    }

    [Fact]
    public async Task A_duplicated_property_drops_only_that_event()
    {
        var events = JsonNode.Parse(FakeGroqServer.EventsJson(1))!["events"]!.AsArray();
        var text = new JsonObject { ["events"] = events.DeepClone() }.ToJsonString();
        var duplicated = """{"sessionId":"a","sessionId":"b","intent":"PlayMusic","latencyMs":250,"success":true,"confidence":0.9}""";
        var twoTimestamps = """{"timestamp":"x","timestamp":"y","sessionId":"c","intent":"PlayMusic","latencyMs":250,"success":true,"confidence":0.9}""";
        _groq.ThenContent(text[..^2] + "," + duplicated + "," + twoTimestamps + "]}");

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("groq", "ok"), (tick.Source, tick.Outcome));
        Assert.Equal(["llm-0", "c"], tick.Events.Select(e => e.SessionId));
        Assert.Equal(new Dictionary<string, int> { ["invalid_sessionId"] = 1 }, tick.Dropped);
    }

    [Fact]
    public async Task Invented_property_names_do_not_become_drop_reasons()
    {
        _groq.ThenContent("""{"events":[{"x1":1,"x1":2,"sessionId":"a","intent":"PlayMusic","latencyMs":250,"success":true,"confidence":0.9}]}""");

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, tick.Dropped["invalid_event"]);
    }

    [Fact]
    public async Task A_property_name_that_is_not_valid_unicode_drops_only_that_event()
    {
        _groq.ThenContent("""{"events":[{"\udc00":1,"sessionId":"a","intent":"PlayMusic","latencyMs":250,"success":true,"confidence":0.9},{"sessionId":"b","intent":"PlayMusic","latencyMs":250,"success":true,"confidence":0.9}]}""");

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("groq", "ok"), (tick.Source, tick.Outcome));
        Assert.Equal(["b"], tick.Events.Select(e => e.SessionId));
        Assert.Equal(new Dictionary<string, int> { ["invalid_event"] = 1 }, tick.Dropped);
    }

    [Fact]
    public async Task More_events_than_asked_for_are_capped_and_the_surplus_counted()
    {
        _groq.ThenEvents(8);

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(5, tick.Events.Count);
        Assert.Equal(new Dictionary<string, int> { ["over_batch_size"] = 3 }, tick.Dropped);
        Assert.Equal(5, _metrics.Generated.WithLabels("groq").Value);
    }

    [Fact]
    public async Task A_batch_with_no_valid_event_falls_back()
    {
        _groq.ThenContent("""{"events":[{"intent":"PlayMusic"},42]}""");

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        AssertFellBackToSynthetic(tick, "no_valid_events", requests: 1);
        Assert.Equal(1, Dropped("not_an_object"));
    }

    [Fact]
    public async Task An_answer_that_is_not_a_completion_is_a_counted_failure_not_an_exception()
    {
        _groq.ThenRaw("<html>gateway</html>");

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("synthetic", "fallback"), (tick.Source, tick.Outcome));
        Assert.NotNull(tick.Failure);
        Assert.Equal(5, tick.Events.Count);
    }

    [Fact]
    public async Task A_long_retry_after_is_honoured_by_the_next_tick_too()
    {
        _groq.ThenError(429, "rate_limit_exceeded", retryAfter: "120").ThenEvents(5);
        var generator = Generator();

        await generator.GenerateAsync(TestContext.Current.CancellationToken);
        var next = await generator.GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("synthetic", "rate_limited"), (next.Source, next.Failure));
        Assert.Single(_groq.Requests);
    }

    [Fact]
    public async Task A_429_with_a_short_retry_after_is_retried_and_succeeds()
    {
        _groq.ThenError(429, "rate_limit_exceeded", retryAfter: "0.3").ThenEvents(5);

        var started = DateTimeOffset.UtcNow;
        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("groq", "ok"), (tick.Source, tick.Outcome));
        Assert.Equal(2, _groq.Requests.Count);
        Assert.True(DateTimeOffset.UtcNow - started >= TimeSpan.FromMilliseconds(300), "the retry-after was not honoured");
        Assert.Equal(1, _metrics.LlmDuration.WithLabels("rate_limited").Count);
    }

    [Fact]
    public async Task A_429_with_a_retry_after_longer_than_the_budget_skips_the_tick_at_once()
    {
        _groq.ThenError(429, "rate_limit_exceeded", retryAfter: "120");

        var started = DateTimeOffset.UtcNow;
        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.True(DateTimeOffset.UtcNow - started < TimeSpan.FromSeconds(5));
        AssertFellBackToSynthetic(tick, "rate_limited", requests: 1);
        Assert.Contains("skipping", _groqLog.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_errors_are_retried_with_backoff()
    {
        _groq.ThenError(500, null).ThenError(503, null).ThenEvents(4);

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("groq", "ok"), (tick.Source, tick.Outcome));
        Assert.Equal(4, tick.Events.Count);
        Assert.Equal(3, _groq.Requests.Count);
        Assert.Equal(2, _metrics.LlmDuration.WithLabels("server_error").Count);
    }

    [Fact]
    public async Task Server_errors_on_every_attempt_fall_back_after_the_last_attempt()
    {
        _groq.ThenError(500, null).ThenError(500, null).ThenError(500, null);

        AssertFellBackToSynthetic(await Generator().GenerateAsync(TestContext.Current.CancellationToken), "server_error", requests: 3);
    }

    [Fact]
    public async Task Json_validate_failed_is_retried()
    {
        _groq.ThenError(400, "json_validate_failed").ThenEvents(5);

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("groq", "ok"), (tick.Source, tick.Outcome));
        Assert.Equal(2, _groq.Requests.Count);
    }

    [Theory]
    [InlineData(401, "invalid_api_key", "unauthorized", "GROQ_API_KEY")]
    [InlineData(403, "permission_denied", "forbidden", "GROQ_API_KEY")]
    [InlineData(404, "model_not_found", "model_not_found", "Simulator:Groq:Model")]
    [InlineData(400, "model_decommissioned", "model_decommissioned", "Simulator:Groq:Model")]
    [InlineData(400, "invalid_request_error", "bad_request", "Simulator:Groq:Model")]
    [InlineData(404, null, "not_found", "Simulator:Groq:Endpoint")]
    public async Task Final_errors_get_one_attempt_and_an_error_log_naming_the_setting(int status, string? code, string failure, string setting)
    {
        _groq.ThenError(status, code).ThenEvents(5);

        var tick = await Generator().GenerateAsync(TestContext.Current.CancellationToken);

        AssertFellBackToSynthetic(tick, failure, requests: 1);
        var error = Assert.Single(_groqLog.Lines, l => l.Level == LogLevel.Error);
        Assert.Contains(setting, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_answer_slower_than_the_timeout_is_abandoned_and_retried()
    {
        _groq.ThenSlow(TimeSpan.FromSeconds(30)).ThenEvents(5);

        var tick = await Generator(o => o.Groq.RequestTimeout = TimeSpan.FromMilliseconds(500)).GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("groq", "ok"), (tick.Source, tick.Outcome));
        Assert.Equal(2, _groq.Requests.Count);
        Assert.Equal(1, _metrics.LlmDuration.WithLabels("timeout").Count);
    }

    [Fact]
    public async Task The_tick_budget_bounds_a_run_of_slow_answers()
    {
        _groq.ThenSlow(TimeSpan.FromSeconds(30)).ThenSlow(TimeSpan.FromSeconds(30)).ThenSlow(TimeSpan.FromSeconds(30));

        var started = DateTimeOffset.UtcNow;
        var tick = await Generator(o =>
        {
            o.Groq.RequestTimeout = TimeSpan.FromSeconds(1);
            o.Groq.TickBudget = TimeSpan.FromSeconds(1.5);
        }).GenerateAsync(TestContext.Current.CancellationToken);

        Assert.InRange(DateTimeOffset.UtcNow - started, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(4));
        Assert.Equal("synthetic", tick.Source);
        Assert.Equal("timeout", tick.Failure);
    }

    [Fact]
    public async Task Without_fallback_a_failed_tick_delivers_nothing()
    {
        _groq.ThenError(401, "invalid_api_key");

        var tick = await Generator(o => o.FallbackToSynthetic = false).GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("none", "failed", "unauthorized"), (tick.Source, tick.Outcome, tick.Failure));
        Assert.Empty(tick.Events);
        Assert.Equal(1, Ticks("none", "failed"));
    }

    [Fact]
    public async Task An_unreachable_endpoint_is_retried_then_falls_back()
    {
        var closedPort = Domu.Testing.FreePort.Next();

        var tick = await Generator(o => o.Groq.Endpoint = $"http://127.0.0.1:{closedPort}/v1").GenerateAsync(TestContext.Current.CancellationToken);

        Assert.Equal(("synthetic", "fallback", "network_error"), (tick.Source, tick.Outcome, tick.Failure));
        Assert.Equal(5, tick.Events.Count);
    }
}
