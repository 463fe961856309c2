using Microsoft.AspNetCore.Diagnostics;
using Orleans.Runtime.Messaging;

namespace Domu.Api;

/// <summary>
/// Turns failures to reach the cluster into 503 with Retry-After, and request-body errors raised by
/// the server into their own 4xx, so neither surfaces as a 500.
/// </summary>
internal sealed partial class ClusterUnavailableHandler(ILogger<ClusterUnavailableHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        switch (exception)
        {
            case BadHttpRequestException bad:
                await TypedResults.Problem(bad.Message, statusCode: bad.StatusCode).ExecuteAsync(httpContext);
                return true;
            case SiloUnavailableException or OrleansMessageRejectionException or ConnectionFailedException
                or GatewayTooBusyException or TimeoutException:
                LogUnavailable(exception.GetType().Name, exception.Message);
                await ServiceUnavailable.Problem(httpContext, "The Orleans cluster did not answer; retry shortly.").ExecuteAsync(httpContext);
                return true;
            default:
                return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster unavailable: {ExceptionType}: {Reason}")]
    private partial void LogUnavailable(string exceptionType, string reason);
}
