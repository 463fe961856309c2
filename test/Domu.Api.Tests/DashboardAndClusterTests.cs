using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

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
        // The dashboard lists the silo once its collector has run (about every second).
        var hosts = 0;
        for (var attempt = 0; attempt < 50 && hosts == 0; attempt++)
        {
            await Task.Delay(200);
            using var counters = await GetAsync(api.Http, "/dashboard/DashboardCounters", basic: "ops:s3cret:with-colon");
            hosts = (int)JsonNode.Parse(await counters.Content.ReadAsStringAsync())!["totalActiveHostCount"]!;
        }
        Assert.Equal(1, hosts);

        // The rest of the Api is not behind the dashboard's login.
        using var report = await GetAsync(api.Http, "/report", remote: "203.0.113.7");
        Assert.Equal(HttpStatusCode.OK, report.StatusCode);
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
