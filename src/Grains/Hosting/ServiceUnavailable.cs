using Microsoft.AspNetCore.Http;

namespace Domu.Hosting;

/// <summary>How Domu's hosts answer while the silo, the cluster or its store cannot be reached.</summary>
public static class ServiceUnavailable
{
    public const int RetryAfterSeconds = 5;

    public static IResult Problem(HttpContext context, string detail)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");
    }
}
