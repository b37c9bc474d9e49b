using Microsoft.Extensions.Options;
using Portal.Core.Applications;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>
/// Tells every proxy replica that a key (revoked, rotated) or an application changed: the key's version in Redis is
/// bumped (a load that read the database before the change then cannot write its stale record back) and its shared
/// record deleted, then the change is published. Callers go through <see cref="ProxyInvalidationOutbox"/>, which
/// saves the change's row with the change and retries until this succeeds; here a Redis failure throws.
/// </summary>
public sealed class ProxyKeyInvalidation(IConnectionMultiplexer redis, IOptions<ProxyKeyOptions> options)
{
    public const string KeyMessage = "k:";

    public const string ApplicationMessage = "a:";

    /// <summary>What a publish may fail with while Redis is away or slow.</summary>
    public static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    public Task PublishAsync(ProxyInvalidation invalidation) => invalidation.Kind switch
    {
        ProxyInvalidationKind.Key => KeyChangedAsync(invalidation.Target),
        // The application channel: every proxy replica drops the application, open pages reload it.
        _ => redis.GetSubscriber().PublishAsync(ApplicationChanges.Channel, invalidation.Target),
    };

    private async Task KeyChangedAsync(string hex)
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
}
