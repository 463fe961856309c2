using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Domu.Api.Tests;

internal static class HttpTestExtensions
{
    public static Task<HttpResponseMessage> IngestAsync(this HttpClient http, string body, string contentType = "application/json")
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return http.PostAsync(new Uri("/ingest", UriKind.Relative), content);
    }

    public static async Task<string> ReportTextAsync(this HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/report", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The report without the oldest event's age, which grows with the clock: what the window holds.</summary>
    public static async Task<string> WindowStateAsync(this HttpClient http)
    {
        var report = JsonNode.Parse(await http.ReportTextAsync())!.AsObject();
        report["window"]!.AsObject().Remove("oldestEventAgeSeconds");
        return report.ToJsonString();
    }

    public static async Task<WindowReport> ReportAsync(this HttpClient http) =>
        JsonSerializer.Deserialize<WindowReport>(await http.ReportTextAsync(), JsonSerializerOptions.Web)!;

    public static async Task<string> MetricsAsync(this HttpClient http)
    {
        using var response = await http.GetAsync(new Uri("/metrics", UriKind.Relative));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadAsStringAsync();
    }

    public static async Task<JsonObject> JsonAsync(this HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

    /// <summary>The sample value of an unlabelled metric in the text exposition.</summary>
    public static string Sample(string exposition, string name) =>
        exposition.Split('\n').Single(line => line.StartsWith(name + " ", StringComparison.Ordinal))[(name.Length + 1)..];
}
