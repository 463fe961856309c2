using Domu.Hosting;

try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.AddDomuSilo();

    var app = builder.Build();
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
