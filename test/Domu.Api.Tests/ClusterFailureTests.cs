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
}
