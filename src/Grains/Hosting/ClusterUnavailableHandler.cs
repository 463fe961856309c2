using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Messaging;

namespace Domu.Hosting;

/// <summary>
/// Turns failures to reach the cluster into 503 with Retry-After, and request-body errors raised by
/// the server into their own 4xx, so neither surfaces as a 500. Registered on every Domu host: the
/// Api's endpoints and the dashboard on silo hosts both call into the cluster and Redis.
/// </summary>
public sealed partial class ClusterUnavailableHandler(ILogger<ClusterUnavailableHandler> logger) : IExceptionHandler
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
            // A call that timed out inside Orleans or Redis, not a client that went away.
            case OperationCanceledException when !httpContext.RequestAborted.IsCancellationRequested:
            case not null when IsClusterFailure(exception):
                LogUnavailable(exception.GetType().Name, FirstLine(exception.Message));
                await ServiceUnavailable.Problem(httpContext, "The Orleans cluster did not answer; retry shortly.").ExecuteAsync(httpContext);
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// A failure of the cluster or of the store behind it, rather than of the request: Orleans' own
    /// runtime and serialization errors (an error Orleans cannot even carry back arrives as a
    /// CodecNotFoundException) and Redis errors. Exceptions that Domu's grain code throws stay 500s:
    /// those are bugs to see.
    /// </summary>
    public static bool IsClusterFailure(Exception exception) =>
        exception.GetType().Namespace is { } name
        && (name.StartsWith("Orleans", StringComparison.Ordinal) || name.StartsWith("StackExchange.Redis", StringComparison.Ordinal));

    /// <summary>Orleans' rejection messages carry the remote stack trace; one line says enough.</summary>
    private static string FirstLine(string message)
    {
        var end = message.AsSpan().IndexOfAny('\r', '\n');
        return end < 0 ? message : message[..end];
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster unavailable: {ExceptionType}: {Reason}")]
    private partial void LogUnavailable(string exceptionType, string reason);
}
