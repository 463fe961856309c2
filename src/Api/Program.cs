using Domu.Api;
using Domu.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddDomuApi();

var app = builder.Build();
app.UseExceptionHandler();
app.UseMiddleware<ReadinessGate>();
app.MapDomuHealth();
app.MapIngestApi();
app.MapReportApi();
app.MapSimulatorApi();
app.MapDomuMetrics();
app.Run();

/// <summary>Entry point; public so tests can host the real application.</summary>
public partial class Program;
