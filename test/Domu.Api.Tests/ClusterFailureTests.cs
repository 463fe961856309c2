using Domu.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Serialization;
using StackExchange.Redis;

namespace Domu.Api.Tests;

/// <summary>Which exceptions become 503 (the cluster or its store failed) and which stay 500 (a bug).</summary>
public sealed class ClusterFailureTests
{
    [Fact]
    public void Orleans_and_redis_failures_are_the_clusters()
    {
        // What /cluster met while Redis was down: Orleans could not carry the Redis error back.
        Assert.True(ClusterUnavailableHandler.IsClusterFailure(new CodecNotFoundException("Could not find a codec for type RedisConnectionException")));
        Assert.True(ClusterUnavailableHandler.IsClusterFailure(new RedisConnectionException(ConnectionFailureType.UnableToConnect, "down")));
        Assert.True(ClusterUnavailableHandler.IsClusterFailure(new OrleansException("forwarding failed")));
    }

    [Fact]
    public void Errors_of_domus_own_code_stay_500s()
    {
        Assert.False(ClusterUnavailableHandler.IsClusterFailure(new ArgumentException("bug")));
        Assert.False(ClusterUnavailableHandler.IsClusterFailure(new InvalidOperationException("bug")));
        Assert.False(ClusterUnavailableHandler.IsClusterFailure(new FormatException("bug")));
    }

    private static async Task<(bool Handled, DefaultHttpContext Context)> HandleAsync(Exception exception, bool clientGone = false)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        using var aborted = new CancellationTokenSource();
        var context = new DefaultHttpContext { RequestServices = services, RequestAborted = aborted.Token };
        context.Response.Body = new MemoryStream();
        if (clientGone)
        {
            await aborted.CancelAsync();
        }
        var handled = await new ClusterUnavailableHandler(NullLogger<ClusterUnavailableHandler>.Instance)
            .TryHandleAsync(context, exception, CancellationToken.None);
        return (handled, context);
    }

    [Fact]
    public async Task A_call_that_timed_out_inside_orleans_or_redis_answers_503_with_retry_after()
    {
        // GET /cluster while Redis hung: the membership read was cancelled by its own timeout.
        var (handled, context) = await HandleAsync(new TaskCanceledException("A task was canceled."));

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status503ServiceUnavailable, context.Response.StatusCode);
        Assert.Equal("5", context.Response.Headers.RetryAfter.ToString());
    }

    [Fact]
    public async Task A_client_that_went_away_is_not_a_cluster_failure()
    {
        var (handled, _) = await HandleAsync(new TaskCanceledException("A task was canceled."), clientGone: true);

        Assert.False(handled);
    }

    [Fact]
    public async Task A_bug_is_left_to_answer_500()
    {
        var (handled, _) = await HandleAsync(new InvalidOperationException("bug"));

        Assert.False(handled);
    }
}
