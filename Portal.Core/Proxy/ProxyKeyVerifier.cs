using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.ApiKeys;
using Portal.Core.Changes;
using Portal.Core.RateLimiting;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>
/// The proxy's first check: is the presented key a usable key of the route's application, and is that application
/// serving? SHA-256 of the key on the stack, then this replica's bounded memory (<see cref="ProxyKeyCache"/>: no
/// allocation, no I/O), then, one load per key at a time (<see cref="SingleFlight{TKey, TValue}"/>), the key's record
/// in Redis and PostgreSQL (<see cref="ProxyKeyLoader"/>). Unknown keys are remembered briefly in a cache of their own,
/// so that a flood of random keys never evicts good ones; and before such a key reaches PostgreSQL, the client's
/// address takes a slot of its minute (<see cref="FailedAuthenticationLimiter"/>): past the limit, unknown keys are
/// answered 429 without a query, while keys the caches know keep working from that address too. Changes reach every
/// replica through the <see cref="Changes.ChangeChannel"/> (<see cref="ProxyKeySubscription"/>: <see cref="ProxyKeyInvalidation"/>,
/// application changes), with the caches' lifetimes as the safety net; when Redis is away
/// (<see cref="RedisOutageGate"/>), lookups go to the database and the caches are dropped once it is back (messages
/// may have been missed). Keys are never logged, only their display prefix.
/// </summary>
public sealed partial class ProxyKeyVerifier : IDisposable
{
    private readonly TimeProvider _clock;
    private readonly ILogger<ProxyKeyVerifier> _logger;
    private readonly ProxyKeyCache _cache;
    private readonly ProxyKeyLoader _loader;
    private readonly ProxyKeySubscription _subscription;
    private readonly SingleFlight<KeyHash, KeyLoad> _loadingKeys = new();
    private readonly SingleFlight<string, ProxyApplication> _loadingApplications = new(StringComparer.Ordinal);
    private readonly Func<KeyHash, Task<KeyLoad?>> _loadKeyWithoutClient;
    private readonly Func<string, Task<ProxyApplication?>> _loadApplication;
    private readonly CancellationTokenSource _stopping = new();

    public ProxyKeyVerifier(
        IConnectionMultiplexer redis, ApiKeyLookup lookup, FailedAuthenticationLimiter failures, ChangeChannel changes, IOptions<ProxyKeyOptions> options,
        TimeProvider clock, ILogger<ProxyKeyVerifier> logger)
    {
        var settings = options.Value;
        _clock = clock;
        _logger = logger;
        var redisGate = new RedisOutageGate(settings.RedisRetryInterval, clock);
        _cache = new ProxyKeyCache(settings, clock);
        _loader = new ProxyKeyLoader(redis, lookup, failures, settings, _cache, redisGate, logger, _stopping.Token);
        _loadKeyWithoutClient = hash => _loader.LoadKeyAsync(hash, null);
        _loadApplication = _loader.LoadApplicationAsync;
        _subscription = new ProxyKeySubscription(redis, changes, _cache, redisGate);
    }

    /// <summary>Completes once this replica listens for invalidations.</summary>
    public Task Listening => _subscription.Listening;

    /// <summary>Lookups answered by Redis (the local cache missed).</summary>
    public long RedisHits => _loader.RedisHits;

    /// <summary>Lookups that reached PostgreSQL.</summary>
    public long DatabaseLookups => _loader.DatabaseLookups;

    /// <summary>As <see cref="VerifyAsync(string?, string, IPAddress?, CancellationToken)"/> for a client of unknown address.</summary>
    public ValueTask<KeyVerification> VerifyAsync(string? presented, string applicationId, CancellationToken cancellationToken = default) =>
        VerifyAsync(presented, applicationId, null, cancellationToken);

    /// <summary>
    /// Checks <paramref name="presented"/> against the route's <paramref name="applicationId"/>. Completes synchronously,
    /// allocating nothing, when both the key and its application are cached. <paramref name="client"/> is the address
    /// whose budget of unknown-key lookups a database lookup uses.
    /// </summary>
    public ValueTask<KeyVerification> VerifyAsync(string? presented, string applicationId, IPAddress? client, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(presented))
        {
            return new(KeyVerification.Refused(KeyRefusal.Missing));
        }

        if (!ApiKeyFormat.LooksValid(presented))
        {
            return new(KeyVerification.Refused(KeyRefusal.Unknown));
        }

        // KeyHash's equality is constant-time: the cache never compares hashes with an early exit.
        var hash = KeyHash.Of(presented);
        var now = _cache.Now;
        if (!_cache.TryGetKey(hash, now, out var key))
        {
            return _cache.IsKnownUnknown(hash, now)
                ? new(KeyVerification.Refused(KeyRefusal.Unknown))
                : new(LoadAndVerifyAsync(hash, applicationId, client, cancellationToken));
        }

        if (key is null)
        {
            return new(KeyVerification.Refused(KeyRefusal.Unknown));
        }

        if (CheckKey(key, applicationId) is { } refused)
        {
            return new(refused);
        }

        return _cache.TryGetApplication(key.ApplicationId, now, out var application)
            ? new(CheckApplication(key, application!))
            : new(LoadApplicationAndVerifyAsync(key, cancellationToken));
    }

    /// <summary>Puts a key and its application in this replica's cache, as a lookup would (benchmarks, warm-up).</summary>
    internal void Remember(string presented, ProxyKey key, ProxyApplication application) => _cache.Remember(KeyHash.Of(presented), key, application);

    private KeyVerification? CheckKey(ProxyKey key, string applicationId)
    {
        if (key.RevokedAt is not null)
        {
            return KeyVerification.Refused(KeyRefusal.Revoked, key);
        }

        if (key.ExpiresAt is { } expiresAt && expiresAt <= _clock.GetUtcNow())
        {
            return KeyVerification.Refused(KeyRefusal.Expired, key);
        }

        if (!string.Equals(key.ApplicationId, applicationId, StringComparison.Ordinal))
        {
            return KeyVerification.Refused(KeyRefusal.OtherApplication, key);
        }

        return null;
    }

    private static KeyVerification CheckApplication(ProxyKey key, ProxyApplication application) =>
        application.Serving ? KeyVerification.Ok(key, application) : KeyVerification.Refused(KeyRefusal.ApplicationUnavailable, key, application);

    private async Task<KeyVerification> LoadAndVerifyAsync(KeyHash hash, string applicationId, IPAddress? client, CancellationToken cancellationToken)
    {
        var load = client is null ? _loadKeyWithoutClient : h => _loader.LoadKeyAsync(h, client);
        var loaded = await _loadingKeys.RunAsync(hash, load).WaitAsync(cancellationToken);
        if (loaded!.Throttled is { } throttled)
        {
            return KeyVerification.Throttled(throttled.RetryAfterSeconds);
        }

        if (loaded.Key is not { } key)
        {
            return KeyVerification.Refused(KeyRefusal.Unknown);
        }

        if (CheckKey(key, applicationId) is { } refused)
        {
            LogRefused(_logger, key.DisplayPrefix, applicationId, refused.Refusal);
            return refused;
        }

        return _cache.TryGetApplication(key.ApplicationId, _cache.Now, out var application)
            ? CheckApplication(key, application!)
            : await LoadApplicationAndVerifyAsync(key, cancellationToken);
    }

    private async Task<KeyVerification> LoadApplicationAndVerifyAsync(ProxyKey key, CancellationToken cancellationToken)
    {
        var application = await _loadingApplications.RunAsync(key.ApplicationId, _loadApplication).WaitAsync(cancellationToken);
        // The key exists, so its application does (the foreign key cascades); a vanished one is not serving.
        return application is null ? KeyVerification.Refused(KeyRefusal.Unknown) : CheckApplication(key, application);
    }

    public void Dispose()
    {
        _subscription.Dispose();
        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(LogLevel.Debug, "Key {DisplayPrefix} refused for application {ApplicationId}: {Refusal}")]
    private static partial void LogRefused(ILogger logger, string displayPrefix, string applicationId, KeyRefusal refusal);
}
