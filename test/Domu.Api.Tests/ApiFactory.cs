using System.Globalization;
using Domu.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

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
    }
}
