using Domu.Api;
using Domu.Hosting;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddDomuApi();

    var app = builder.Build();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.UseMiddleware<ReadinessGate>();
    app.MapDomuHealth();
    app.MapIngestApi();
    app.MapReportApi();
    app.MapSimulatorApi();
    app.MapClusterApi();
    app.MapApiMetrics();
    app.MapDomuDashboard();
    app.Run();
    return 0;
}
catch (Exception ex) when (ConfigurationErrors.TryDescribe(ex, out var message))
{
    Console.Error.WriteLine(message);
    return 2;
}
catch (OperationCanceledException)
{
    // Asked to stop (Ctrl+C, SIGTERM) before start-up finished, e.g. while still looking for the cluster.
    return 0;
}

/// <summary>Entry point; public so tests can host the real application.</summary>
public partial class Program;
