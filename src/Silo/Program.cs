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
    return 0;
}
catch (Exception ex) when (ConfigurationErrors.TryDescribe(ex, out var message))
{
    Console.Error.WriteLine(message);
    return 2;
}
