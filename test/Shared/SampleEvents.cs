using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;

namespace Domu.Testing;

/// <summary>Event bodies for tests: the seed's example, and variations of it one field at a time.</summary>
public static class SampleEvents
{
    public const string Seed =
        """{"timestamp":"2024-01-15T10:30:00.000Z","sessionId":"abc123","intent":"BookFlight","latencyMs":250,"success":true,"confidence":0.95}""";

    /// <summary>The seed event with <paramref name="field"/> set to the raw JSON <paramref name="rawValue"/>.</summary>
    public static string With(string field, string rawValue)
    {
        var node = JsonNode.Parse(Seed)!.AsObject();
        node.Remove(field);
        var text = node.ToJsonString();
        return text[..^1] + $",\"{field}\":{rawValue}}}";
    }

    /// <summary>The seed event without <paramref name="field"/>.</summary>
    public static string Without(string field)
    {
        var node = JsonNode.Parse(Seed)!.AsObject();
        node.Remove(field);
        return node.ToJsonString();
    }

    public static string Event(double latencyMs, bool success, double confidence, string intent = "BookFlight", string sessionId = "s1") =>
        string.Create(CultureInfo.InvariantCulture,
            $$"""{"timestamp":"2024-01-15T10:30:00.000Z","sessionId":"{{sessionId}}","intent":"{{intent}}","latencyMs":{{latencyMs:R}},"success":{{(success ? "true" : "false")}},"confidence":{{confidence:R}}}""");

    /// <summary>
    /// Fifteen events with known figures: latencies 100..1500 ms (mean 800), 3 failures (error rate 0.2),
    /// confidences 0.50..0.92 step 0.03 (mean 0.71).
    /// </summary>
    public static IReadOnlyList<string> Fifteen() =>
        Enumerable.Range(0, 15)
            .Select(i => Event(100 * (i + 1), success: i % 5 != 4, confidence: Math.Round(0.5 + (0.03 * i), 2), sessionId: $"s{i / 3}"))
            .ToList();
}

/// <summary>
/// A TCP port on loopback that nothing listens on right now, and that this test process has not
/// handed out before (tests run in parallel and bind their ports some time after asking).
/// </summary>
public static class FreePort
{
    private static readonly HashSet<int> Given = [];

    public static int Next()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            lock (Given)
            {
                if (Given.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
