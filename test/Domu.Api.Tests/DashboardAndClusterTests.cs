using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;

namespace Domu.Api.Tests;

/// <summary>The Orleans dashboard in the embedded Api, its guard, and <c>GET /cluster</c>.</summary>
public sealed class DashboardAndClusterTests
{
    private static async Task<HttpResponseMessage> GetAsync(HttpClient http, string path, string? remote = null, string? basic = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(path, UriKind.Relative));
        if (remote is not null)
        {
            request.Headers.Add(ApiFactory.RemoteAddressHeader, remote);
        }
        if (basic is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(basic)));
        }
        return await http.SendAsync(request);
    }

    [Fact]
    public async Task Without_credentials_the_dashboard_answers_loopback_clients_only()
    {
        await using var api = new ApiFactory().With("Dashboard:Enabled", "true");
        await api.InitializeAsync();

        using var local = await GetAsync(api.Http, "/dashboard/");
        Assert.Equal(HttpStatusCode.OK, local.StatusCode);
        Assert.Contains("Orleans Dashboard", await local.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var localData = await GetAsync(api.Http, "/dashboard/DashboardCounters");
        Assert.Equal(HttpStatusCode.OK, localData.StatusCode);

        foreach (var path in new[] { "/dashboard/", "/dashboard/DashboardCounters", "/dashboard/index.min.js" })
        {
            using var remote = await GetAsync(api.Http, path, remote: "203.0.113.7");
            Assert.Equal(HttpStatusCode.Forbidden, remote.StatusCode);
        }
        using var remoteV6 = await GetAsync(api.Http, "/dashboard/", remote: "2001:db8::1");
        Assert.Equal(HttpStatusCode.Forbidden, remoteV6.StatusCode);
    }

    [Fact]
    public async Task With_credentials_the_dashboard_asks_everyone_for_them()
    {
        await using var api = new ApiFactory().With("Dashboard:Enabled", "true")
            .With("Dashboard:Username", "ops").With("Dashboard:Password", "s3cret:with-colon");
        await api.InitializeAsync();

        using var anonymous = await GetAsync(api.Http, "/dashboard/");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.StartsWith("Basic realm=", anonymous.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        using var wrong = await GetAsync(api.Http, "/dashboard/", basic: "ops:nope");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var wrongUser = await GetAsync(api.Http, "/dashboard/", basic: "admin:s3cret:with-colon");
        Assert.Equal(HttpStatusCode.Unauthorized, wrongUser.StatusCode);
        using var garbageRequest = new HttpRequestMessage(HttpMethod.Get, new Uri("/dashboard/", UriKind.Relative));
        garbageRequest.Headers.TryAddWithoutValidation("Authorization", "Basic !!not-base64!!");
        using var garbage = await api.Http.SendAsync(garbageRequest);
        Assert.Equal(HttpStatusCode.Unauthorized, garbage.StatusCode);

        using var right = await GetAsync(api.Http, "/dashboard/", basic: "ops:s3cret:with-colon");
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        using var rightRemote = await GetAsync(api.Http, "/dashboard/DashboardCounters", remote: "203.0.113.7", basic: "ops:s3cret:with-colon");
        Assert.Equal(HttpStatusCode.OK, rightRemote.StatusCode);
        Assert.Equal(1, (int)(await WaitForDashboardHostAsync(api.Http, "ops:s3cret:with-colon"))["totalActiveHostCount"]!);

        // The rest of the Api is not behind the dashboard's login.
        using var report = await GetAsync(api.Http, "/report", remote: "203.0.113.7");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
    }

    [Fact]
    public async Task The_dashboard_answers_a_bad_silo_address_with_400_and_an_unknown_silo_with_404()
    {
        await using var api = new ApiFactory().With("Dashboard:Enabled", "true");
        await api.InitializeAsync();
        var counters = await WaitForDashboardHostAsync(api.Http);
        var silo = (string)counters["hosts"]![0]!["siloAddress"]!;
        // GET /cluster names silos the way the dashboard does, so its addresses paste into these pages.
        using (var cluster = await GetAsync(api.Http, "/cluster"))
        {
            Assert.Equal(silo, (string)JsonNode.Parse(await cluster.Content.ReadAsStringAsync())!["windowSilo"]!);
        }

        foreach (var route in new[] { "SiloCounters", "SiloStats", "SiloProperties", "SiloMetadata", "HistoricalStats" })
        {
            using var known = await GetAsync(api.Http, $"/dashboard/{route}/{silo}");
            Assert.Equal(HttpStatusCode.OK, known.StatusCode);

            // Orleans' runtime-identity form, a port out of range, and plain garbage are not addresses.
            foreach (var bad in new[] { "S127.0.0.1:11111:155364557", "127.0.0.1:99999@1", "garbage", ":@" })
            {
                using var response = await GetAsync(api.Http, $"/dashboard/{route}/{Uri.EscapeDataString(bad)}");
                Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                Assert.Contains("is not a silo address", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            }

            // A well-formed address of no silo of this cluster is never dialled.
            using var unknown = await GetAsync(api.Http, $"/dashboard/{route}/{Uri.EscapeDataString("127.0.0.1:1@1")}");
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
            Assert.Contains("no active silo", await unknown.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }
    }

    /// <summary>The dashboard's counters once its collector has listed the silo (about every second).</summary>
    private static async Task<JsonNode> WaitForDashboardHostAsync(HttpClient http, string? basic = null)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var response = await GetAsync(http, "/dashboard/DashboardCounters", basic: basic);
            var counters = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            if ((int)counters["totalActiveHostCount"]! > 0 || attempt == 50)
            {
                return counters;
            }
            await Task.Delay(200);
        }
    }

    [Fact]
    public async Task Every_endpoint_outside_the_dashboard_is_under_a_path_the_dashboard_may_not_take()
    {
        await using var api = new ApiFactory().With("Dashboard:Enabled", "true");
        await api.InitializeAsync();

        var firstSegments = api.Services.GetRequiredService<Microsoft.AspNetCore.Routing.EndpointDataSource>().Endpoints
            .OfType<Microsoft.AspNetCore.Routing.RouteEndpoint>()
            .Select(endpoint => endpoint.RoutePattern.RawText!.TrimStart('/').Split('/')[0])
            .ToHashSet(StringComparer.OrdinalIgnoreCase);

        Assert.Contains("dashboard", firstSegments, StringComparer.OrdinalIgnoreCase);
        firstSegments.Remove("dashboard");
        Assert.Equal(Domu.Hosting.DashboardSettings.ReservedSegments.Order(StringComparer.Ordinal), firstSegments.Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task A_disabled_dashboard_is_not_served()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();

        using var response = await GetAsync(api.Http, "/dashboard/");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Cluster_shows_the_one_embedded_silo_hosting_window_and_simulator()
    {
        await using var api = new ApiFactory();
        await api.InitializeAsync();

        using var response = await GetAsync(api.Http, "/cluster");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var cluster = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(1, (int)cluster["activeSilos"]!);
        var silo = Assert.Single(cluster["silos"]!.AsArray())!;
        Assert.Equal("Active", (string)silo["status"]!);
        Assert.Equal((string)silo["address"]!, (string)cluster["windowSilo"]!);
        Assert.Equal((string)silo["address"]!, (string)cluster["simulatorSilo"]!);
    }
}
