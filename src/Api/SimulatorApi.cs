using Microsoft.AspNetCore.Http.HttpResults;

namespace Domu.Api;

/// <summary><c>/simulator</c>: the status of the event simulator, and switching it on and off.</summary>
public static class SimulatorApi
{
    public static IEndpointRouteBuilder MapSimulatorApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/simulator");
        group.MapMethods("/", [HttpMethods.Get, HttpMethods.Head], GetStatusAsync).WithName("SimulatorStatus");
        group.MapPost("/start", StartAsync).WithName("SimulatorStart");
        group.MapPost("/stop", StopAsync).WithName("SimulatorStop");
        return endpoints;
    }

    public static async Task<Ok<SimulatorStatus>> GetStatusAsync(IGrainFactory grains) =>
        TypedResults.Ok(await Simulator(grains).GetStatusAsync());

    public static async Task<Ok<SimulatorStatus>> StartAsync(IGrainFactory grains) =>
        TypedResults.Ok(await Simulator(grains).StartAsync());

    public static async Task<Ok<SimulatorStatus>> StopAsync(IGrainFactory grains) =>
        TypedResults.Ok(await Simulator(grains).StopAsync());

    private static ISimulatorGrain Simulator(IGrainFactory grains) => grains.GetGrain<ISimulatorGrain>(ISimulatorGrain.DefaultKey);
}
