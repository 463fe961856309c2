using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Domu.Hosting;

/// <summary>
/// The dashboard's per-silo endpoints (<c>SiloCounters/{address}</c> and the like) would answer 500
/// to an address they cannot parse, and would have Orleans connect to any address they are given.
/// This filter answers 400 to an address that is not one, and 404 to a silo the membership does not
/// list as active, before the dashboard sees the request.
/// </summary>
internal sealed class DashboardSiloFilter : IEndpointFilter
{
    /// <summary>The route values in which the dashboard takes a silo address.</summary>
    private static readonly string[] AddressRouteValues = ["address", "path"];

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        foreach (var name in AddressRouteValues)
        {
            if (http.Request.RouteValues.TryGetValue(name, out var value) && value is string text)
            {
                return Check(text, http.RequestServices.GetRequiredService<IClusterMembershipService>()) ?? await next(context);
            }
        }
        return await next(context);
    }

    /// <summary>A problem to answer instead of the dashboard, or null when the address names an active silo.</summary>
    internal static IResult? Check(string text, IClusterMembershipService membership)
    {
        var address = Parse(text);
        if (address is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a silo address.",
                detail: $"'{text}' is not a silo address as the dashboard writes one: host:port@generation, such as 127.0.0.1:11111@155364557.");
        }
        if (!membership.CurrentSnapshot.Members.TryGetValue(address, out var member) || member.Status != SiloStatus.Active)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such silo.",
                detail: $"The cluster has no active silo {text}; GET /cluster lists the silos.");
        }
        return null;
    }

    private static SiloAddress? Parse(string text)
    {
        try
        {
            return SiloAddress.FromParsableString(text);
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            return null;
        }
    }
}
