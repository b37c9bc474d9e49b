using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>
/// The outbox's retrier, in every portal process: sends what <see cref="ProxyInvalidationOutbox"/> could not (Redis
/// away, a process that died between its commit and its publish) every <see cref="ProxyKeyOptions.InvalidationRetryInterval"/>,
/// and at once when a publish fails or Redis comes back. A loop rather than a Hangfire job: recurring jobs run at most
/// once a minute, and "revoked within a second whenever Redis is up" needs a tighter loop. It waits on real time, as
/// Redis's expiries do; an empty outbox costs one indexed query per interval.
/// </summary>
public sealed partial class ProxyInvalidationPublisher(
    ProxyInvalidationOutbox outbox, IConnectionMultiplexer redis, IOptions<ProxyKeyOptions> options, ILogger<ProxyInvalidationPublisher> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        void OnRestored(object? sender, ConnectionFailedEventArgs e) => outbox.Wake();
        redis.ConnectionRestored += OnRestored;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                if (redis.IsConnected)
                {
                    try
                    {
                        await outbox.PublishPendingAsync(stoppingToken);
                    }
                    catch (Exception e) when (!stoppingToken.IsCancellationRequested && e is not OperationCanceledException)
                    {
                        LogFailed(logger, e.GetType().Name, e.Message);
                    }
                }

                await outbox.WaitAsync(options.Value.InvalidationRetryInterval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            redis.ConnectionRestored -= OnRestored;
        }
    }

    [LoggerMessage(LogLevel.Warning, "Publishing the waiting key and application changes failed ({Error}: {Message}); tried again shortly")]
    private static partial void LogFailed(ILogger logger, string error, string message);
}
