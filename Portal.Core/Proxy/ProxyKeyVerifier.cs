using System.Collections.Concurrent;
using System.Globalization;
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
/// serving? SHA-256 of the key on the stack, then this replica's bounded cache (no allocation, no I/O), then the
/// key's record in Redis (shared by the replicas), then PostgreSQL. Unknown keys are remembered briefly in a cache of
/// their own, so that a flood of random keys never evicts good ones; and before such a key reaches PostgreSQL, the
/// client's address takes a slot of its minute (<see cref="FailedAuthenticationLimiter"/>): past the limit, unknown
/// keys are answered 429 without a query, while keys the caches know keep working from that address too. Changes
/// reach every replica through the <see cref="ChangeChannel"/> (<see cref="ProxyKeyInvalidation"/>),
/// with the caches' lifetimes as the safety net; when Redis is away, lookups go to the database and the caches are
/// dropped once it is back (messages may have been missed). Keys are never logged, only their display prefix.
/// </summary>
public sealed partial class ProxyKeyVerifier : IDisposable
{
    private readonly IConnectionMultiplexer _redis;
    private readonly ApiKeyLookup _lookup;
    private readonly ProxyKeyOptions _options;
    private readonly TimeProvider _clock;
    private readonly ILogger<ProxyKeyVerifier> _logger;
    private readonly BoundedCache<KeyHash, ProxyKey> _keys;
    private readonly BoundedCache<KeyHash, ProxyKey> _unknownKeys;
    private readonly FailedAuthenticationLimiter _failures;
    private readonly BoundedCache<string, ProxyApplication> _applications;
    private readonly ConcurrentDictionary<KeyHash, Task<KeyLoad?>> _loadingKeys = new();
    private readonly ConcurrentDictionary<string, Task<ProxyApplication?>> _loadingApplications = new(StringComparer.Ordinal);
    private readonly ChangeChannel _changes;
    private readonly IDisposable[] _subscriptions;
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _localTtl;
    private readonly long _negativeTtl;
    private long _generation;
    private long _redisRetryAt;
    private long _redisHits;
    private long _databaseLookups;

    public ProxyKeyVerifier(
        IConnectionMultiplexer redis, ApiKeyLookup lookup, FailedAuthenticationLimiter failures, ChangeChannel changes, IOptions<ProxyKeyOptions> options,
        TimeProvider clock, ILogger<ProxyKeyVerifier> logger)
    {
        _redis = redis;
        _lookup = lookup;
        _failures = failures;
        _options = options.Value;
        _clock = clock;
        _logger = logger;
        _keys = new BoundedCache<KeyHash, ProxyKey>(_options.LocalCacheCapacity);
        _unknownKeys = new BoundedCache<KeyHash, ProxyKey>(_options.LocalCacheCapacity);
        _applications = new BoundedCache<string, ProxyApplication>(_options.LocalCacheCapacity, StringComparer.Ordinal);
        _localTtl = (long)_options.LocalCacheTtl.TotalMilliseconds;
        _negativeTtl = (long)_options.NegativeCacheTtl.TotalMilliseconds;
        _redis.ConnectionRestored += OnConnectionRestored;
        _changes = changes;
        _subscriptions = [changes.Subscribe(ChangeTopic.ProxyKey, OnKeyChanged), changes.Subscribe(ChangeTopic.Application, OnApplicationChanged)];
    }

    /// <summary>Completes once this replica listens for invalidations.</summary>
    public Task Listening => _changes.Listening;

    /// <summary>Lookups answered by Redis (the local cache missed).</summary>
    public long RedisHits => Interlocked.Read(ref _redisHits);

    /// <summary>Lookups that reached PostgreSQL.</summary>
    public long DatabaseLookups => Interlocked.Read(ref _databaseLookups);

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
        var now = Environment.TickCount64;
        if (!_keys.TryGet(hash, now, out var key))
        {
            return _unknownKeys.TryGet(hash, now, out _)
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

        return _applications.TryGet(key.ApplicationId, now, out var application) && application is not null
            ? new(CheckApplication(key, application))
            : new(LoadApplicationAndVerifyAsync(key, cancellationToken));
    }

    /// <summary>Puts a key and its application in this replica's cache, as a lookup would (benchmarks, warm-up).</summary>
    internal void Remember(string presented, ProxyKey key, ProxyApplication application)
    {
        var expiresAt = Environment.TickCount64 + _localTtl;
        _keys.Set(KeyHash.Of(presented), key, expiresAt);
        _applications.Set(application.Id, application, expiresAt);
    }

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
        var load = await SingleFlightAsync(_loadingKeys, hash, h => LoadKeyAsync(h, client)).WaitAsync(cancellationToken);
        if (load!.Throttled is { } throttled)
        {
            return KeyVerification.Throttled(throttled.RetryAfterSeconds);
        }

        if (load.Key is not { } key)
        {
            return KeyVerification.Refused(KeyRefusal.Unknown);
        }

        if (CheckKey(key, applicationId) is { } refused)
        {
            LogRefused(_logger, key.DisplayPrefix, applicationId, refused.Refusal);
            return refused;
        }

        return _applications.TryGet(key.ApplicationId, Environment.TickCount64, out var application) && application is not null
            ? CheckApplication(key, application)
            : await LoadApplicationAndVerifyAsync(key, cancellationToken);
    }

    private async Task<KeyVerification> LoadApplicationAndVerifyAsync(ProxyKey key, CancellationToken cancellationToken)
    {
        var application = await SingleFlightAsync(_loadingApplications, key.ApplicationId, LoadApplicationAsync).WaitAsync(cancellationToken);
        // The key exists, so its application does (the foreign key cascades); a vanished one is not serving.
        return application is null ? KeyVerification.Refused(KeyRefusal.Unknown) : CheckApplication(key, application);
    }

    /// <summary>One load per key (or application) at a time, however many requests wait for it.</summary>
    private static Task<TValue?> SingleFlightAsync<TKey, TValue>(ConcurrentDictionary<TKey, Task<TValue?>> loading, TKey id, Func<TKey, Task<TValue?>> load)
        where TKey : notnull
    {
        if (loading.TryGetValue(id, out var running))
        {
            return running;
        }

        var started = new TaskCompletionSource<TValue?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!loading.TryAdd(id, started.Task))
        {
            return loading.TryGetValue(id, out running) ? running : load(id);
        }

        _ = RunAsync();
        return started.Task;

        async Task RunAsync()
        {
            try
            {
                started.SetResult(await load(id));
            }
            catch (Exception e)
            {
                started.SetException(e);
            }
            finally
            {
                loading.TryRemove(id, out _);
            }
        }
    }

    /// <summary>What a load found: the key, none (unknown), or nothing because the client's address is throttled.</summary>
    private sealed record KeyLoad(ProxyKey? Key, LookupAdmission? Throttled = null);

    private async Task<KeyLoad?> LoadKeyAsync(KeyHash hash, IPAddress? client)
    {
        // A change announced while this load runs must not be overwritten by what the load read before it.
        var generation = Interlocked.Read(ref _generation);
        var hex = hash.ToHex();
        var redisKey = new RedisKey(_options.RedisKeyPrefix + "key:" + hex);
        var versionKey = new RedisKey(_options.RedisKeyPrefix + "keyver:" + hex);
        var (key, version) = await ReadRedisAsync(redisKey, versionKey);
        if (key is not null)
        {
            Interlocked.Increment(ref _redisHits);
        }
        else
        {
            // Neither cache knows the key: the address pays a slot of its minute before PostgreSQL is asked.
            var admission = await _failures.AdmitAsync(FailedAuthenticationLimiter.ProxyRealm, client);
            if (!admission.Allowed)
            {
                return new KeyLoad(null, admission);
            }

            Interlocked.Increment(ref _databaseLookups);
            var found = await _lookup.FindForProxyAsync(hash.ToArray(), _stopping.Token);
            if (found is { } record)
            {
                _failures.Release(FailedAuthenticationLimiter.ProxyRealm, client);
                key = record.Key;
                StoreApplication(record.Application, generation);
                if (version is { } read)
                {
                    await WriteRedisAsync(redisKey, versionKey, read, key);
                }
            }
        }

        if (Interlocked.Read(ref _generation) == generation)
        {
            if (key is null)
            {
                _unknownKeys.Set(hash, null, Environment.TickCount64 + _negativeTtl);
            }
            else
            {
                _keys.Set(hash, key, Environment.TickCount64 + _localTtl);
            }
        }

        return new KeyLoad(key);
    }

    private async Task<ProxyApplication?> LoadApplicationAsync(string applicationId)
    {
        var generation = Interlocked.Read(ref _generation);
        Interlocked.Increment(ref _databaseLookups);
        var application = await _lookup.FindApplicationForProxyAsync(applicationId, _stopping.Token);
        if (application is not null)
        {
            StoreApplication(application, generation);
        }

        return application;
    }

    private void StoreApplication(ProxyApplication application, long generation)
    {
        if (Interlocked.Read(ref _generation) == generation)
        {
            _applications.Set(application.Id, application, Environment.TickCount64 + _localTtl);
        }
    }

    private bool RedisAvailable => Environment.TickCount64 >= Interlocked.Read(ref _redisRetryAt);

    private void RedisFailed(Exception e)
    {
        Interlocked.Exchange(ref _redisRetryAt, Environment.TickCount64 + (long)_options.RedisRetryInterval.TotalMilliseconds);
        LogRedisFailed(_logger, e.Message);
    }

    /// <summary>
    /// The key's shared record, and the version of the key's changes read in the same round trip: the record a load
    /// then writes back must not undo a change made in between (<see cref="ProxyKeyInvalidation"/> bumps it).
    /// A null version means Redis did not answer.
    /// </summary>
    private async Task<(ProxyKey? Key, string? Version)> ReadRedisAsync(RedisKey redisKey, RedisKey versionKey)
    {
        if (!RedisAvailable)
        {
            return (null, null);
        }

        try
        {
            var batch = _redis.GetDatabase().CreateBatch();
            var record = batch.HashGetAllAsync(redisKey);
            var version = batch.StringGetAsync(versionKey);
            batch.Execute();
            var fields = await record;
            return (fields.Length == 0 ? null : ProxyKeyRecord.Read(fields), (string?)await version ?? "");
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException or FormatException)
        {
            RedisFailed(e);
            return (null, null);
        }
    }

    /// <summary>Writes the record only if no change of the key was announced since its version was read (ARGV[1]).</summary>
    private const string WriteUnlessChangedScript = """
        if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 3))
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    private async Task WriteRedisAsync(RedisKey redisKey, RedisKey versionKey, string version, ProxyKey key)
    {
        if (!RedisAvailable)
        {
            return;
        }

        try
        {
            var fields = ProxyKeyRecord.Write(key);
            var arguments = new RedisValue[2 + (fields.Length * 2)];
            arguments[0] = version;
            arguments[1] = (long)_options.RedisCacheTtl.TotalMilliseconds;
            for (var i = 0; i < fields.Length; i++)
            {
                arguments[2 + (i * 2)] = fields[i].Name;
                arguments[3 + (i * 2)] = fields[i].Value;
            }

            await _redis.GetDatabase().ScriptEvaluateAsync(WriteUnlessChangedScript, [redisKey, versionKey], arguments);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            RedisFailed(e);
        }
    }

    private void OnKeyChanged(string hex)
    {
        Interlocked.Increment(ref _generation);
        if (hex.Length != KeyHash.Size * 2)
        {
            return;
        }

        try
        {
            var hash = new KeyHash(Convert.FromHexString(hex));
            _keys.Remove(hash);
            _unknownKeys.Remove(hash);
        }
        catch (FormatException)
        {
            // Not a message of ours.
        }
    }

    private void OnApplicationChanged(string applicationId)
    {
        Interlocked.Increment(ref _generation);
        _applications.Remove(applicationId);
    }

    /// <summary>Invalidations may have been published while this replica was away from Redis: forget everything.</summary>
    private void OnConnectionRestored(object? sender, ConnectionFailedEventArgs e)
    {
        Interlocked.Increment(ref _generation);
        _keys.Clear();
        _unknownKeys.Clear();
        _applications.Clear();
        Interlocked.Exchange(ref _redisRetryAt, 0);
    }

    public void Dispose()
    {
        _redis.ConnectionRestored -= OnConnectionRestored;
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        _stopping.Cancel();
        _stopping.Dispose();
    }

    [LoggerMessage(LogLevel.Debug, "Key {DisplayPrefix} refused for application {ApplicationId}: {Refusal}")]
    private static partial void LogRefused(ILogger logger, string displayPrefix, string applicationId, KeyRefusal refusal);

    [LoggerMessage(LogLevel.Warning, "Redis is unavailable for key verification, the database answers meanwhile: {Reason}")]
    private static partial void LogRedisFailed(ILogger logger, string reason);
}

/// <summary>A key's record in Redis: one hash per key hash.</summary>
internal static class ProxyKeyRecord
{
    public static HashEntry[] Write(ProxyKey key) =>
    [
        new("id", key.KeyId),
        new("app", key.ApplicationId),
        new("type", key.Type.ToString()),
        new("scopes", string.Join(' ', key.Scopes)),
        new("display", key.DisplayPrefix),
        new("exp", key.ExpiresAt?.ToUnixTimeMilliseconds() ?? -1),
        new("rev", key.RevokedAt?.ToUnixTimeMilliseconds() ?? -1),
    ];

    public static ProxyKey? Read(HashEntry[] fields)
    {
        string? id = null, app = null, type = null, scopes = null, display = null;
        long exp = -1, rev = -1;
        foreach (var field in fields)
        {
            switch ((string?)field.Name)
            {
                case "id": id = field.Value; break;
                case "app": app = field.Value; break;
                case "type": type = field.Value; break;
                case "scopes": scopes = field.Value; break;
                case "display": display = field.Value; break;
                case "exp": exp = long.Parse((string)field.Value!, CultureInfo.InvariantCulture); break;
                case "rev": rev = long.Parse((string)field.Value!, CultureInfo.InvariantCulture); break;
                default: break;
            }
        }

        if (id is null || app is null || display is null || scopes is null || !Enum.TryParse<ApiKeyType>(type, out var keyType))
        {
            return null;
        }

        return new ProxyKey(
            id, app, keyType, scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), display,
            exp < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(exp),
            rev < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(rev));
    }
}
