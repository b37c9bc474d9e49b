using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Portal.Core.Applications;

/// <summary>
/// Tells every portal process that an application (its status, its provisioning run) changed, so that open pages
/// reload it at once. A Redis publish of the application's id; best effort: the pages also poll, so a lost
/// notification only delays an update, and a Redis outage never fails the caller.
/// </summary>
public sealed partial class ApplicationChanges(IConnectionMultiplexer redis, ILogger<ApplicationChanges> logger)
{
    public static readonly RedisChannel Channel = RedisChannel.Literal("authsome:applications:changed");

    public void Publish(string applicationId)
    {
        try
        {
            redis.GetSubscriber().Publish(Channel, applicationId, CommandFlags.FireAndForget);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogPublishFailed(logger, applicationId, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Debug, "The change of application {ApplicationId} was not published: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string applicationId, string reason);
}
