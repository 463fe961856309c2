using Domu.Hosting;

var builder = WebApplication.CreateBuilder(args);
builder.AddDomuSilo();

var app = builder.Build();
app.MapDomuHealth();
app.Run();
