using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Portal.Core.Usage;

/// <summary>
/// Tells every portal process that an application's usage figures moved (the rollup added minutes), so that open
/// metrics and usage pages reload. A Redis publish of the application's id; best effort (pages also refresh on a timer).
/// </summary>
public sealed partial class UsageChanges(IConnectionMultiplexer redis, ILogger<UsageChanges> logger)
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("authsome:usage:changed");

    public void Publish(IEnumerable<string> applicationIds)
    {
        try
        {
            var subscriber = redis.GetSubscriber();
            foreach (var applicationId in applicationIds)
            {
                subscriber.Publish(Channel, applicationId, CommandFlags.FireAndForget);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogPublishFailed(logger, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Debug, "Usage changes were not published: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);
}
