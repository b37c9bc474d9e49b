using Microsoft.Extensions.Logging;
using Portal.Core.Applications;
using Portal.Core.RateLimiting;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>
/// How changes reach this replica's <see cref="ProxyKeyCache"/>: the proxy's invalidation channel
/// (<see cref="ProxyKeyInvalidation"/>: a key, an application) and <see cref="ApplicationChanges"/>, through Redis
/// pub/sub, subscribed again with <see cref="BackOff"/> until Redis answers. When the connection comes back,
/// messages may have been missed: the cache is dropped and Redis is asked again at once. The only part of the
/// verifier that knows the channels, so that moving to another change channel replaces this class alone.
/// </summary>
internal sealed partial class ProxyKeySubscription : IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetry = TimeSpan.FromSeconds(5);

    private readonly IConnectionMultiplexer _redis;
    private readonly ProxyKeyOptions _options;
    private readonly ProxyKeyCache _cache;
    private readonly RedisOutageGate _redisGate;
    private readonly TimeProvider _clock;
    private readonly ILogger _logger;
    private readonly CancellationToken _stopping;
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ProxyKeySubscription(
        IConnectionMultiplexer redis, ProxyKeyOptions options, ProxyKeyCache cache, RedisOutageGate redisGate, TimeProvider clock, ILogger logger,
        CancellationToken stopping)
    {
        _redis = redis;
        _options = options;
        _cache = cache;
        _redisGate = redisGate;
        _clock = clock;
        _logger = logger;
        _stopping = stopping;
        _redis.ConnectionRestored += OnConnectionRestored;
        _ = SubscribeAsync();
    }

    /// <summary>Completes once this replica listens for invalidations.</summary>
    public Task Listening => _listening.Task;

    private async Task SubscribeAsync()
    {
        for (var attempt = 0; !_stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                var subscriber = _redis.GetSubscriber();
                await subscriber.SubscribeAsync(RedisChannel.Literal(_options.Channel), (_, message) => OnInvalidation(message));
                await subscriber.SubscribeAsync(ApplicationChanges.Channel, (_, message) => OnApplicationChanged(message));
                _listening.TrySetResult();
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogSubscribeFailed(_logger, e.Message);
                try
                {
                    await Task.Delay(BackOff.Delay(attempt, FirstRetry, MaxRetry), _clock, _stopping);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void OnInvalidation(RedisValue message)
    {
        _cache.Changed();
        var text = (string?)message;
        if (text is null || text.Length < 3)
        {
            return;
        }

        if (text.StartsWith(ProxyKeyInvalidation.KeyMessage, StringComparison.Ordinal)
            && text.Length == ProxyKeyInvalidation.KeyMessage.Length + (KeyHash.Size * 2))
        {
            try
            {
                _cache.ForgetKey(new KeyHash(Convert.FromHexString(text.AsSpan(ProxyKeyInvalidation.KeyMessage.Length))));
            }
            catch (FormatException)
            {
                // Not a message of ours.
            }
        }
        else if (text.StartsWith(ProxyKeyInvalidation.ApplicationMessage, StringComparison.Ordinal))
        {
            _cache.ForgetApplication(text[ProxyKeyInvalidation.ApplicationMessage.Length..]);
        }
    }

    private void OnApplicationChanged(RedisValue message)
    {
        _cache.Changed();
        if ((string?)message is { } applicationId)
        {
            _cache.ForgetApplication(applicationId);
        }
    }

    /// <summary>Invalidations may have been published while this replica was away from Redis: forget everything.</summary>
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        _cache.Clear();
        _redisGate.Reset();
    }

    public void Dispose() => _redis.ConnectionRestored -= OnConnectionRestored;

    [LoggerMessage(LogLevel.Warning, "Redis is unavailable for key verification, the database answers meanwhile: {Reason}")]
    private static partial void LogSubscribeFailed(ILogger logger, string reason);
}
