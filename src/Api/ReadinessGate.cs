using Domu.Hosting;

namespace Domu.Api;

/// <summary>Answers 503 with Retry-After to everything but the health probes until Orleans is up.</summary>
internal sealed class ReadinessGate(RequestDelegate next, ClusterReadiness readiness)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (readiness.IsReady || context.Request.Path.StartsWithSegments("/health"))
        {
            return next(context);
        }
        return ServiceUnavailable
            .Problem(context, "Domu is starting or has lost its Orleans cluster; retry shortly.")
            .ExecuteAsync(context);
    }
}
