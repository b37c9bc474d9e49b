using Portal.Core.Changes;
using Portal.Core.RateLimiting;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>
/// How changes reach this replica's <see cref="ProxyKeyCache"/>: key and application changes on the
/// <see cref="ChangeChannel"/> (published by <see cref="ProxyKeyInvalidation"/> and the application use cases). When
/// the Redis connection comes back, messages may have been missed: the cache is dropped and Redis is asked again at
/// once. The only part of the verifier that knows where changes come from.
/// </summary>
internal sealed class ProxyKeySubscription : IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ChangeChannel _changes;
    private readonly ProxyKeyCache _cache;
    private readonly RedisOutageGate _redisGate;
    private readonly IDisposable[] _subscriptions;

    public ProxyKeySubscription(IConnectionMultiplexer redis, ChangeChannel changes, ProxyKeyCache cache, RedisOutageGate redisGate)
    {
        _redis = redis;
        _changes = changes;
        _cache = cache;
        _redisGate = redisGate;
        _redis.ConnectionRestored += OnConnectionRestored;
        _subscriptions = [changes.Subscribe(ChangeTopic.ProxyKey, OnKeyChanged), changes.Subscribe(ChangeTopic.Application, OnApplicationChanged)];
    }

    /// <summary>Completes once this replica listens for invalidations.</summary>
    public Task Listening => _changes.Listening;

    private void OnKeyChanged(string hex)
    {
        _cache.Changed();
        if (hex.Length != KeyHash.Size * 2)
        {
            return;
        }

        try
        {
            _cache.ForgetKey(new KeyHash(Convert.FromHexString(hex)));
        }
        catch (FormatException)
        {
            // Not a message of ours.
        }
    }

    private void OnApplicationChanged(string applicationId)
    {
        _cache.Changed();
        _cache.ForgetApplication(applicationId);
    }

    /// <summary>Invalidations may have been published while this replica was away from Redis: forget everything.</summary>
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        _cache.Clear();
        _redisGate.Reset();
    }

    public void Dispose()
    {
        _redis.ConnectionRestored -= OnConnectionRestored;
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }
    }
}
