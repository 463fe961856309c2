using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Domu.Hosting;

/// <summary>
/// While a client has lost every gateway, the request gate sends no traffic to Orleans, and the client
/// only reconnects when it has something to send. This pings the cluster every two seconds until it
/// answers, so the Api comes back on its own soon after a silo does.
/// </summary>
internal sealed partial class ClusterReconnector(
    ClusterReadiness readiness, IClusterClient client, ILogger<ClusterReconnector> logger) : BackgroundService
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Period);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!readiness.IsDisconnected)
            {
                continue;
            }
            try
            {
                await client.GetGrain<IManagementGrain>(0).GetHosts(true, stoppingToken).WaitAsync(Period * 2, stoppingToken);
                readiness.MarkReachable();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogStillUnreachable(ex);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "The Orleans cluster is still unreachable")]
    private partial void LogStillUnreachable(Exception exception);
}
