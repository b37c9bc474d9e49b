using Microsoft.Extensions.Options;
using Portal.Core.Changes;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>
/// Tells every proxy replica that a key (revoked, rotated) or an application changed: the key's version in Redis is
/// bumped (a load that read the database before the change then cannot write its stale record back) and its shared
/// record deleted, then the change goes out on the <see cref="ChangeChannel"/>. Callers go through
/// <see cref="ProxyInvalidationOutbox"/>, which saves the change's row with the change and retries until this
/// succeeds; here a Redis failure throws.
/// </summary>
public sealed class ProxyKeyInvalidation(IConnectionMultiplexer redis, ChangeChannel changes, IOptions<ProxyKeyOptions> options)
{
    public Task PublishAsync(ProxyInvalidation invalidation) => invalidation.Kind switch
    {
        ProxyInvalidationKind.Key => KeyChangedAsync(invalidation.Target),
        // Every proxy replica drops the application, open pages reload it.
        _ => changes.PublishAsync(ChangeTopic.Application, invalidation.Target),
    };

    private async Task KeyChangedAsync(string hex)
    {
        // The version first: a proxy's load that read the database before the change cannot write its record back.
        var batch = redis.GetDatabase().CreateBatch();
        var version = ProxyKeyRedisKeys.Version(options.Value.RedisKeyPrefix, hex);
        var bumped = batch.StringIncrementAsync(version);
        var expiry = batch.KeyExpireAsync(version, TimeSpan.FromHours(1));
        var deleted = batch.KeyDeleteAsync(ProxyKeyRedisKeys.Record(options.Value.RedisKeyPrefix, hex));
        batch.Execute();
        await Task.WhenAll(bumped, expiry, deleted);
        await changes.PublishAsync(ChangeTopic.ProxyKey, hex);
    }
}
