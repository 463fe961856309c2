using Microsoft.AspNetCore.Http.HttpResults;

namespace Domu.Api;

/// <summary><c>GET /report</c>: the window's figures as JSON.</summary>
public static class ReportApi
{
    public static IEndpointRouteBuilder MapReportApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/report", [HttpMethods.Get, HttpMethods.Head], GetReportAsync).WithName("Report");
        return endpoints;
    }

    public static async Task<Ok<WindowReport>> GetReportAsync(IGrainFactory grains) =>
        TypedResults.Ok(await grains.GetGrain<IMetricsWindowGrain>(IMetricsWindowGrain.DefaultKey).GetReportAsync());
}
