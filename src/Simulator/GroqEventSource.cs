using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using OpenAI;

namespace Domu.Simulator;

/// <summary>
/// Asks Groq's OpenAI-compatible chat completions API for a batch of events, in JSON mode, with its
/// own retries: 429 (honouring retry-after), 5xx, timeouts and <c>json_validate_failed</c> are retried
/// with jittered backoff inside the tick's time budget; other failures are final for the tick.
/// </summary>
public sealed partial class GroqEventSource : IVoiceEventSource
{
    private readonly IChatClient _chat;
    private readonly GroqOptions _options;
    private readonly TimeProvider _time;
    private readonly SimulatorMetrics _metrics;
    private readonly ILogger _logger;
    private readonly TimeSpan _backoffBase;
    private DateTimeOffset _notBefore = DateTimeOffset.MinValue;

    public GroqEventSource(IChatClient chat, GroqOptions options, TimeProvider time, SimulatorMetrics metrics, ILogger<GroqEventSource> logger)
        : this(chat, options, time, metrics, logger, TimeSpan.FromMilliseconds(500))
    {
    }

    internal GroqEventSource(IChatClient chat, GroqOptions options, TimeProvider time, SimulatorMetrics metrics, ILogger logger, TimeSpan backoffBase)
    {
        _chat = chat;
        _options = options;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _backoffBase = backoffBase;
    }

    public string Name => "groq";

    /// <summary>The chat client for Groq: the OpenAI SDK pointed at the endpoint, its own retries off.</summary>
    public static IChatClient CreateChatClient(GroqOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var client = new OpenAIClient(
            new ApiKeyCredential(options.ApiKey ?? throw new InvalidOperationException("Simulator:Groq:ApiKey is not set.")),
            new OpenAIClientOptions
            {
                Endpoint = new Uri(options.Endpoint),
                RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
                NetworkTimeout = options.RequestTimeout + TimeSpan.FromSeconds(5),
            });
        return client.GetChatClient(options.Model).AsIChatClient();
    }

    public async Task<SourceResult> GenerateAsync(int count, CancellationToken cancellationToken)
    {
        if (_time.GetUtcNow() < _notBefore)
        {
            // Groq asked us to wait past the previous tick's budget; this tick does not ask again.
            LogStillRateLimited(_notBefore);
            return SourceResult.Failed("rate_limited");
        }

        var started = _time.GetTimestamp();
        var messages = Prompt(count, _time.GetUtcNow());
        var chatOptions = new ChatOptions
        {
            ResponseFormat = ChatResponseFormat.Json,
            Temperature = 0.9f,
            MaxOutputTokens = 200 + (120 * count),
        };

        string failure = "budget_exhausted";
        for (var attempt = 1; attempt <= _options.MaxAttempts; attempt++)
        {
            var remaining = _options.TickBudget - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                break;
            }

            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(remaining < _options.RequestTimeout ? remaining : _options.RequestTimeout);
            var attemptStarted = Stopwatch.GetTimestamp();
            Attempt outcome;
            try
            {
                var response = await _chat.GetResponseAsync(messages, chatOptions, timeout.Token);
                outcome = Read(response);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                outcome = Attempt.Retry("timeout");
            }
            catch (ClientResultException ex)
            {
                outcome = Classify(ex);
            }
            catch (HttpRequestException ex)
            {
                LogNetwork(ex.Message);
                outcome = Attempt.Retry("network_error");
            }
            catch (ArgumentOutOfRangeException)
            {
                // The OpenAI SDK indexes choices[0] while reading an answer that has none.
                outcome = Attempt.Fail("no_choices");
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Whatever else the SDK throws is a failed tick, never an exception out of the simulator.
                LogUnexpected(ex.GetType().Name, ex.Message);
                outcome = Attempt.Fail("unexpected_error");
            }
            _metrics.LlmDuration.WithLabels(outcome.Failure ?? "ok").Observe(Stopwatch.GetElapsedTime(attemptStarted).TotalSeconds);

            if (outcome.Result is { } result)
            {
                return result;
            }

            failure = outcome.Failure!;
            if (!outcome.Retryable)
            {
                return SourceResult.Failed(failure);
            }
            if (attempt == _options.MaxAttempts)
            {
                break;
            }

            var delay = outcome.RetryAfter ?? Backoff(attempt);
            remaining = _options.TickBudget - _time.GetElapsedTime(started);
            if (delay >= remaining)
            {
                if (outcome.RetryAfter is { } retryAfter)
                {
                    _notBefore = _time.GetUtcNow() + retryAfter;
                    LogSkipping(failure, retryAfter.TotalSeconds, Math.Max(0, remaining.TotalSeconds));
                }
                else
                {
                    LogBudgetSpent(failure, attempt);
                }
                return SourceResult.Failed(failure);
            }
            LogRetrying(failure, attempt, delay.TotalSeconds);
            await Task.Delay(delay, _time, cancellationToken);
        }

        LogGaveUp(failure, _options.MaxAttempts);
        return SourceResult.Failed(failure);
    }

    internal static IList<ChatMessage> Prompt(int count, DateTimeOffset now) =>
    [
        new(ChatRole.System,
            "You generate realistic telemetry for voice AI agents (phone bots and voice assistants). Answer with one JSON object and nothing else."),
        new(ChatRole.User, string.Create(CultureInfo.InvariantCulture, $$"""
            The current time is {{now:yyyy-MM-ddTHH:mm:ss.fffZ}}.
            Generate {{count}} interactions as {"events":[...]}, each event exactly:
            {"timestamp":"<ISO-8601 UTC, within the last minute>","sessionId":"<string>","intent":"<PascalCase intent such as BookFlight, GetWeather, PlayMusic, SetAlarm, CheckBalance>","latencyMs":<number of milliseconds, usually 300-3000, sometimes more>,"success":<true or false, about 9 in 10 true>,"confidence":<number from 0 to 1, usually above 0.8>}
            Let several events share a sessionId, as turns of one conversation. Failures are likelier at low confidence or high latency.
            """)),
    ];

    private Attempt Read(ChatResponse response)
    {
        if (response.Usage is { } usage)
        {
            _metrics.LlmTokens.WithLabels("prompt").Inc(usage.InputTokenCount ?? 0);
            _metrics.LlmTokens.WithLabels("completion").Inc(usage.OutputTokenCount ?? 0);
        }
        if (response.Messages.Count == 0)
        {
            return Attempt.Fail("no_choices");
        }
        if (response.FinishReason == ChatFinishReason.Length)
        {
            return Attempt.Fail("truncated");
        }

        var text = StripFence(response.Text);
        if (string.IsNullOrWhiteSpace(text))
        {
            return Attempt.Fail("empty");
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("events", out var events)
                || events.ValueKind != JsonValueKind.Array)
            {
                return Attempt.Fail("wrong_shape");
            }
            return Attempt.Ok(new SourceResult(events.EnumerateArray().Select(e => e.Clone()).ToList()));
        }
        catch (JsonException)
        {
            return Attempt.Fail("not_json");
        }
    }

    /// <summary>Removes one outer markdown code fence (```json ... ```), if there is one.</summary>
    internal static string StripFence(string text)
    {
        var trimmed = text.Trim();
        if (!trimmed.StartsWith("```", StringComparison.Ordinal) || !trimmed.EndsWith("```", StringComparison.Ordinal) || trimmed.Length < 6)
        {
            return trimmed;
        }
        var firstLineEnd = trimmed.IndexOf('\n', StringComparison.Ordinal);
        return firstLineEnd < 0 ? trimmed[3..^3].Trim() : trimmed[(firstLineEnd + 1)..^3].Trim();
    }

    private Attempt Classify(ClientResultException ex)
    {
        var response = ex.GetRawResponse();
        var (code, message) = Error(response);
        switch (ex.Status)
        {
            case 429:
                return Attempt.Retry("rate_limited", RetryAfter(response));
            case >= 500:
                return Attempt.Retry("server_error", RetryAfter(response));
            case 400 when code == "json_validate_failed":
                return Attempt.Retry("json_validate_failed");
            case 401:
                LogFinal(401, code ?? "unauthorized", message, "GROQ_API_KEY (or Simulator:Groq:ApiKey)");
                return Attempt.Fail("unauthorized");
            case 403:
                LogFinal(403, code ?? "forbidden", message, "GROQ_API_KEY (or Simulator:Groq:ApiKey) and the key's permissions");
                return Attempt.Fail("forbidden");
            case 404 when code == "model_not_found":
                LogFinal(404, code, message, "Simulator:Groq:Model");
                return Attempt.Fail("model_not_found");
            case 404:
                LogFinal(404, code ?? "not_found", message, "Simulator:Groq:Endpoint");
                return Attempt.Fail("not_found");
            case 400 when code == "model_decommissioned":
                LogFinal(400, code, message, "Simulator:Groq:Model");
                return Attempt.Fail("model_decommissioned");
            case 0:
                LogNetwork(ex.InnerException?.Message ?? ex.Message);
                return Attempt.Retry("network_error");
            default:
                LogFinal(ex.Status, code ?? "no code", message, "Simulator:Groq:Model and Simulator:Groq:Endpoint");
                return Attempt.Fail("bad_request");
        }
    }

    /// <summary>Groq's error code and message, from a body like {"error":{"message":"...","code":"..."}}.</summary>
    private static (string? Code, string Message) Error(PipelineResponse? response)
    {
        try
        {
            if (response?.Content is not { } content || content.ToMemory().IsEmpty)
            {
                return (null, "no body");
            }
            using var document = JsonDocument.Parse(content.ToMemory());
            if (!document.RootElement.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.Object)
            {
                return (null, "no error object");
            }
            var code = error.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var message = error.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() ?? "" : "";
            return (code, message.Length > 200 ? message[..200] + "..." : message);
        }
        catch (JsonException)
        {
            return (null, "a body that is not JSON");
        }
    }

    private TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response is null || !response.Headers.TryGetValue("retry-after", out var value) || value is null)
        {
            return null;
        }
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var wait = at - _time.GetUtcNow();
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }

    private TimeSpan Backoff(int attempt)
    {
        var exponential = _backoffBase.TotalMilliseconds * Math.Pow(2, attempt - 1);
        return TimeSpan.FromMilliseconds(Math.Min(exponential, 8_000) * (0.5 + Random.Shared.NextDouble()));
    }

    private readonly record struct Attempt(SourceResult? Result, string? Failure, bool Retryable, TimeSpan? RetryAfter)
    {
        public static Attempt Ok(SourceResult result) => new(result, null, false, null);

        public static Attempt Fail(string failure) => new(null, failure, false, null);

        public static Attempt Retry(string failure, TimeSpan? retryAfter = null) => new(null, failure, true, retryAfter);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Groq answered {Status} ({Code}: {GroqMessage}); not retrying. Check {Setting}")]
    private partial void LogFinal(int status, string code, string groqMessage, string setting);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Groq attempt {Attempt} failed ({Failure}); retrying in {DelaySeconds:F1} s")]
    private partial void LogRetrying(string failure, int attempt, double delaySeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Groq failed ({Failure}) and asks to wait {DelaySeconds:F1} s, more than the {RemainingSeconds:F1} s left of the tick's budget; skipping Groq until then")]
    private partial void LogSkipping(string failure, double delaySeconds, double remainingSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Groq failed ({Failure}) on attempt {Attempt} and the tick's budget (Simulator:Groq:TickBudget) leaves no time to retry")]
    private partial void LogBudgetSpent(string failure, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Groq failed ({Failure}) on all {Attempts} attempts (Simulator:Groq:MaxAttempts)")]
    private partial void LogGaveUp(string failure, int attempts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Groq asked to wait until {NotBefore:O}; this tick does not call it")]
    private partial void LogStillRateLimited(DateTimeOffset notBefore);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Groq could not be reached ({Reason}); check Simulator:Groq:Endpoint")]
    private partial void LogNetwork(string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "The Groq call failed unexpectedly ({ExceptionType}: {Reason}); check Simulator:Groq:Endpoint")]
    private partial void LogUnexpected(string exceptionType, string reason);
}
