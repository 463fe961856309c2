using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Domu.Simulator.Tests;

/// <summary>
/// A local server speaking Groq's OpenAI-compatible chat-completions API on loopback; it plays back a
/// script of answers, one per request, and records what it was asked.
/// </summary>
public sealed class FakeGroqServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Func<HttpContext, Task>> _script = new();

    private FakeGroqServer(WebApplication app) => _app = app;

    public ConcurrentQueue<(string? Authorization, JsonObject Body)> Requests { get; } = new();

    public string Endpoint { get; private set; } = "";

    public static async Task<FakeGroqServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeGroqServer(app);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        server.Endpoint = app.Urls.Single() + "/v1";
        return server;
    }

    public FakeGroqServer Then(Func<HttpContext, Task> answer)
    {
        _script.Enqueue(answer);
        return this;
    }

    /// <summary>A normal completion whose message content is <paramref name="content"/>.</summary>
    public FakeGroqServer ThenContent(string? content, string finishReason = "stop") =>
        Then(context => WriteJsonAsync(context, 200, Completion(content, finishReason)));

    public FakeGroqServer ThenEvents(int count) => ThenContent(EventsJson(count));

    public FakeGroqServer ThenRaw(string body) => Then(async context =>
    {
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    });

    public FakeGroqServer ThenNoChoices()
    {
        var body = Completion("x", "stop");
        body["choices"] = new JsonArray();
        return Then(context => WriteJsonAsync(context, 200, body));
    }

    public FakeGroqServer ThenError(int status, string? code, string? retryAfter = null) => Then(context =>
    {
        if (retryAfter is not null)
        {
            context.Response.Headers["retry-after"] = retryAfter;
        }
        return WriteJsonAsync(context, status, new JsonObject
        {
            ["error"] = new JsonObject { ["message"] = $"fake {status} {code}", ["type"] = "invalid_request_error", ["code"] = code },
        });
    });

    public FakeGroqServer ThenSlow(TimeSpan delay) => Then(async context =>
    {
        try
        {
            await Task.Delay(delay, context.RequestAborted);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        await WriteJsonAsync(context, 200, Completion(EventsJson(5), "stop"));
    });

    /// <summary>A valid {"events":[...]} document with a 2020 timestamp the simulator must replace.</summary>
    public static string EventsJson(int count) => new JsonObject
    {
        ["events"] = new JsonArray(Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject
        {
            ["timestamp"] = "2020-01-01T00:00:00Z",
            ["sessionId"] = $"llm-{i / 2}",
            ["intent"] = i % 2 == 0 ? "BookFlight" : "GetWeather",
            ["latencyMs"] = 400 + (100 * i),
            ["success"] = i != 1,
            ["confidence"] = 0.9,
        }).ToArray()),
    }.ToJsonString();

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        Requests.Enqueue((context.Request.Headers.Authorization.ToString(), body));
        if (_script.TryDequeue(out var answer))
        {
            await answer(context);
        }
        else
        {
            await WriteJsonAsync(context, 500, new JsonObject { ["error"] = new JsonObject { ["message"] = "script exhausted" } });
        }
    }

    private static JsonObject Completion(string? content, string finishReason) => new()
    {
        ["id"] = "chatcmpl-fake",
        ["object"] = "chat.completion",
        ["created"] = 1_700_000_000,
        ["model"] = "llama-3.1-8b-instant",
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = content },
            ["finish_reason"] = finishReason,
        }),
        ["usage"] = new JsonObject { ["prompt_tokens"] = 120, ["completion_tokens"] = 300, ["total_tokens"] = 420 },
    };

    private static async Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(JsonSerializerOptions.Web));
    }
}
