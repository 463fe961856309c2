using Domu.Hosting;

namespace Domu.Api;

/// <summary>Service registration for the Api, so Program.cs reads as a table of contents.</summary>
public static class ApiSetup
{
    public static WebApplicationBuilder AddDomuApi(this WebApplicationBuilder builder)
    {
        var cluster = builder.Configuration.ReadValidated<ClusterSettings>(ClusterSettings.Section);
        if (cluster.Mode == OrleansMode.Embedded)
        {
            builder.AddDomuSilo();
        }
        else
        {
            builder.AddDomuClient();
        }

        builder.Services.AddSingleton<WindowMetrics>();
        return builder;
    }
}
