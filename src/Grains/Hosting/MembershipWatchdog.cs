using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Domu.Hosting;

/// <summary>
/// Watches, on a Redis-clustered silo, that the membership table still lists this silo as active.
/// Orleans does not notice when the table itself is lost (a Redis restarted without persistence, or
/// flushed): the silo keeps running outside any cluster that clients can find. After three checks in
/// a row that read the table and do not find this silo active, the silo reports not ready and stops
/// with exit code 1, so that a supervisor restarts it and it joins afresh. While Redis cannot be
/// read at all nothing is decided: the silo keeps serving what it holds.
/// </summary>
internal sealed partial class MembershipWatchdog(
    IMembershipTable table,
    ILocalSiloDetails silo,
    ClusterReadiness readiness,
    IHostApplicationLifetime lifetime,
    ILogger<MembershipWatchdog> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(10);

    private const int Strikes = 3;

    private static readonly TimeSpan GracefulStopLimit = TimeSpan.FromSeconds(15);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            await WatchAsync(stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            // The host stops when a background service fails; a supervisor must see a failure, not 0.
            LogCrashed(ex);
            Environment.ExitCode = 1;
            throw;
        }
    }

    private async Task WatchAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            await started.Task.ConfigureAwait(false);
        }

        var misses = 0;
        var unreadable = false;
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            bool listed;
            try
            {
                var data = await table.ReadAllAsync(stoppingToken).WaitAsync(Period, stoppingToken);
                listed = data.Members.Any(m => m.Item1.SiloAddress.Equals(silo.SiloAddress) && m.Item1.Status == SiloStatus.Active);
                if (unreadable)
                {
                    unreadable = false;
                    LogReadable();
                }
            }
            catch (Exception ex) when (IsStoreUnreachable(ex) && !stoppingToken.IsCancellationRequested)
            {
                if (!unreadable)
                {
                    unreadable = true;
                    LogUnreadable(ex.Message);
                }
                continue;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // Redis answered, but the table is not there (a restarted, empty Redis): as good as not listed.
                LogTableMissing(ex.Message);
                listed = false;
            }

            misses = listed ? 0 : misses + 1;
            if (misses == 1)
            {
                LogMissing(silo.SiloAddress);
            }
            if (misses >= Strikes)
            {
                LogStopping(silo.SiloAddress, Strikes);
                readiness.NotifyClusterConnectionLost();
                Environment.ExitCode = 1;
                lifetime.StopApplication();
                // Orleans' graceful stop wants to mark this silo in the very table that is gone, and
                // retries for minutes; what it would save is lost already.
                _ = Task.Run(async () =>
                {
                    await Task.Delay(GracefulStopLimit, CancellationToken.None);
                    LogForcedExit(GracefulStopLimit.TotalSeconds);
                    Environment.Exit(1);
                }, CancellationToken.None);
                return;
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "The silo did not stop within {Seconds} s; exiting now")]
    private partial void LogForcedExit(double seconds);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The membership watchdog failed; the silo stops with exit code 1")]
    private partial void LogCrashed(Exception exception);

    /// <summary>
    /// Redis cannot be reached at all, or does not answer in time (a hung Redis cancels the read), as
    /// opposed to answering without the table.
    /// </summary>
    internal static bool IsStoreUnreachable(Exception exception) =>
        exception is StackExchange.Redis.RedisConnectionException or StackExchange.Redis.RedisTimeoutException or TimeoutException
            or OperationCanceledException
        || (exception.InnerException is { } inner && IsStoreUnreachable(inner));

    [LoggerMessage(Level = LogLevel.Warning, Message = "The membership table cannot be read: {Reason}")]
    private partial void LogTableMissing(string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cannot read the membership table ({Reason}); this silo keeps serving and checks again")]
    private partial void LogUnreadable(string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "The membership table is readable again")]
    private partial void LogReadable();

    [LoggerMessage(Level = LogLevel.Warning, Message = "The membership table does not list this silo ({Silo}) as active")]
    private partial void LogMissing(SiloAddress silo);

    [LoggerMessage(Level = LogLevel.Critical, Message = "The membership table has not listed this silo ({Silo}) as active for {Checks} checks (Redis lost the table, or the cluster declared this silo dead); stopping with exit code 1 so that a restart joins the cluster afresh")]
    private partial void LogStopping(SiloAddress silo, int checks);
}
