using Domu.Hosting;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddDomuSilo();

    var app = builder.Build();
    app.UseExceptionHandler();
    app.UseStatusCodePages();
    app.MapDomuHealth();
    app.MapDomuMetrics();
    app.MapDomuDashboard();
    app.Run();
    // 1 when the silo stopped itself because the cluster no longer lists it (see MembershipWatchdog).
    return Environment.ExitCode;
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
