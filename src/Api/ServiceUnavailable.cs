namespace Domu.Api;

/// <summary>How the Api answers while the silo or cluster cannot be reached.</summary>
internal static class ServiceUnavailable
{
    public const int RetryAfterSeconds = 5;

    public static IResult Problem(HttpContext context, string detail)
    {
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status503ServiceUnavailable, title: "Service unavailable");
    }
}
