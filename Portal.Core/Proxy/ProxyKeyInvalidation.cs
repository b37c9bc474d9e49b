using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>
/// Tells every proxy replica that a key (revoked, rotated) or an application changed: the key's version in Redis is
/// bumped (a load that read the database before the change then cannot write its stale record back) and its shared
/// record deleted, then the change is published. Best effort after the change is saved: a Redis outage never fails
/// the caller, and the caches' lifetimes bound how long a missed message matters.
/// </summary>
public sealed partial class ProxyKeyInvalidation(IConnectionMultiplexer redis, IOptions<ProxyKeyOptions> options, ILogger<ProxyKeyInvalidation> logger)
{
    public const string KeyMessage = "k:";

    public const string ApplicationMessage = "a:";

    public async Task KeyChangedAsync(byte[] hash)
    {
        var hex = new KeyHash(hash).ToHex();
        try
        {
            // The version first: a proxy's load that read the database before the change cannot write its record back.
            var batch = redis.GetDatabase().CreateBatch();
            var version = options.Value.RedisKeyPrefix + "keyver:" + hex;
            var bumped = batch.StringIncrementAsync(version);
            var expiry = batch.KeyExpireAsync(version, TimeSpan.FromHours(1));
            var deleted = batch.KeyDeleteAsync(options.Value.RedisKeyPrefix + "key:" + hex);
            batch.Execute();
            await Task.WhenAll(bumped, expiry, deleted);
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(options.Value.Channel), KeyMessage + hex);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogPublishFailed(logger, e.Message);
        }
    }

    public async Task ApplicationChangedAsync(string applicationId)
    {
        try
        {
            await redis.GetSubscriber().PublishAsync(RedisChannel.Literal(options.Value.Channel), ApplicationMessage + applicationId);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            LogPublishFailed(logger, e.Message);
        }
    }

    [LoggerMessage(LogLevel.Warning, "A key or application change was not published to the proxies (their caches expire it): {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);
}
