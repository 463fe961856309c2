using System.Globalization;
using System.Net;
using Domu.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Domu.Api.Tests;

/// <summary>
/// The real Api with its embedded silo, served by Kestrel on a free loopback port; each instance has
/// its own silo ports and cluster id so instances run side by side.
/// </summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    private readonly Dictionary<string, string?> _settings = new()
    {
        ["Orleans:SiloPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        ["Orleans:GatewayPort"] = FreePort.Next().ToString(CultureInfo.InvariantCulture),
        ["Orleans:ClusterId"] = $"test-{Guid.NewGuid():N}",
        ["Logging:LogLevel:Default"] = "Warning",
        // Exact figures need a window that only the test feeds; simulator tests switch it back on.
        ["Simulator:Enabled"] = "false",
        // The dashboard's collectors cost start-up time; DashboardTests switch it on.
        ["Dashboard:Enabled"] = "false",
    };

    public ApiFactory() => UseKestrel(0);

    /// <summary>Overrides a configuration key before the first request.</summary>
    public ApiFactory With(string key, string value)
    {
        _settings[key] = value;
        return this;
    }

    public HttpClient Http { get; private set; } = null!;

    public virtual ValueTask InitializeAsync()
    {
        StartServer();
        Http = CreateClient();
        Http.Timeout = TimeSpan.FromSeconds(30);
        return ValueTask.CompletedTask;
    }

    public override async ValueTask DisposeAsync()
    {
        Http?.Dispose();
        await base.DisposeAsync();
        GC.SuppressFinalize(this);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, RemoteAddressFromHeader>());
    }

    /// <summary>The header a test sets to pose as a client from another address; every test client is on loopback.</summary>
    public const string RemoteAddressHeader = "X-Test-Remote-Address";

    private sealed class RemoteAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(RemoteAddressHeader, out var value) && IPAddress.TryParse(value, out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
