using System.Net;
using System.Net.Http.Headers;
using Domu.Testing;

namespace Domu.Api.Tests;

public sealed class IngestEndpointTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    private HttpClient Http => api.Http;

    [Fact]
    public void The_server_listens_on_loopback() =>
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(Http.BaseAddress!.Host)), Http.BaseAddress.ToString());

    [Fact]
    public async Task The_seed_event_is_ingested_with_the_seed_answer()
    {
        using var response = await Http.IngestAsync(SampleEvents.Seed);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("""{"message":"Event ingested"}""", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("application/JSON")]
    [InlineData("application/vnd.domu.event+json")]
    [InlineData("application/json;charset=\"utf-8\"")]
    [InlineData("application/json; charset=UTF8")]
    public async Task Json_media_types_are_accepted(string contentType)
    {
        using var response = await Http.IngestAsync(SampleEvents.Seed, contentType);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [MemberData(nameof(InvalidCases))]
    public async Task An_invalid_event_gets_a_problem_naming_the_field_and_changes_nothing(string name, string body, string key, string fragment)
    {
        var before = await Http.WindowStateAsync();

        using var response = await Http.IngestAsync(body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await response.JsonAsync();
        Assert.Equal(400, (int)problem["status"]!);
        Assert.Equal("The event is invalid.", (string)problem["title"]!);
        var messages = problem["errors"]![key]!.AsArray().Select(m => (string)m!).ToList();
        Assert.True(messages.Any(m => m.Contains(fragment, StringComparison.Ordinal)), $"{name}: {string.Join(" | ", messages)}");
        Assert.Equal(before, await Http.WindowStateAsync());
    }

    public static TheoryData<string, string, string, string> InvalidCases() => InvalidEvents.Cases();

    [Fact]
    public async Task Every_problem_comes_back_in_one_response()
    {
        using var response = await Http.IngestAsync("""{"timestamp":"2024-01-15","latencyMs":-5,"success":"yes","confidence":2}""");

        var errors = (await response.JsonAsync())["errors"]!.AsObject();
        Assert.Equal(["timestamp", "latencyMs", "success", "confidence", "sessionId", "intent"], errors.Select(p => p.Key));
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    [InlineData("application/json; charset=utf-16")]
    public async Task A_body_that_is_not_json_gets_415(string contentType)
    {
        var before = await Http.WindowStateAsync();

        using var response = await Http.IngestAsync(SampleEvents.Seed, contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Contains("application/json", (string)(await response.JsonAsync())["detail"]!, StringComparison.Ordinal);
        Assert.Equal(before, await Http.WindowStateAsync());
    }

    [Fact]
    public async Task A_body_without_content_type_gets_415()
    {
        using var content = new ByteArrayContent("{}"u8.ToArray());
        using var response = await Http.PostAsync(new Uri("/ingest", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("no Content-Type", (string)(await response.JsonAsync())["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_oversized_body_gets_413_before_it_is_read()
    {
        var before = await Http.WindowStateAsync();
        var body = SampleEvents.Seed[..^1] + ",\"padding\":\"" + new string('x', 20_000) + "\"}";

        using var response = await Http.IngestAsync(body);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Contains("at most 16384 bytes", (string)(await response.JsonAsync())["detail"]!, StringComparison.Ordinal);
        Assert.Equal(before, await Http.WindowStateAsync());
    }

    [Fact]
    public async Task An_oversized_chunked_body_gets_413_too()
    {
        var before = await Http.WindowStateAsync();
        using var content = new StreamContent(new MemoryStream(new byte[100_000]));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/ingest") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal(before, await Http.WindowStateAsync());
    }

    [Fact]
    public async Task A_body_of_exactly_the_limit_is_read()
    {
        var seed = SampleEvents.Seed[..^1] + ",\"padding\":\"";
        var body = seed + new string('x', 16384 - seed.Length - 2) + "\"}";
        Assert.Equal(16384, body.Length);

        using var response = await Http.IngestAsync(body);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task A_utf8_byte_order_mark_is_ignored()
    {
        using var content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. System.Text.Encoding.UTF8.GetBytes(SampleEvents.Seed)]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        using var response = await Http.PostAsync(new Uri("/ingest", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Get_on_ingest_is_not_allowed_and_says_so_as_a_problem()
    {
        using var response = await Http.GetAsync(new Uri("/ingest", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(405, (int)(await response.JsonAsync())["status"]!);
    }

    [Theory]
    [InlineData("DELETE", "/metrics")]
    [InlineData("POST", "/metrics")]
    [InlineData("PUT", "/health/live")]
    [InlineData("POST", "/health/ready")]
    [InlineData("POST", "/report")]
    public async Task Read_only_endpoints_refuse_other_methods(string method, string path)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
    }

    [Theory]
    [InlineData("/report")]
    [InlineData("/metrics")]
    [InlineData("/simulator")]
    [InlineData("/health/ready")]
    public async Task Read_only_endpoints_answer_head(string path)
    {
        using var response = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, path));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task An_unknown_path_is_a_404_problem()
    {
        using var response = await Http.GetAsync(new Uri("/nope", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }
}
