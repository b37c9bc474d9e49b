using System.Net;
using Microsoft.Extensions.Logging;
using Portal.Core.ApiKeys;
using Portal.Core.RateLimiting;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>
/// What <see cref="ProxyKeyVerifier"/> does when its memory misses: the key's record in Redis (shared by the
/// replicas), else PostgreSQL, after the client's address took a slot of its minute
/// (<see cref="FailedAuthenticationLimiter"/>); what it finds goes into the <see cref="ProxyKeyCache"/> and, for a
/// key found in the database, back into Redis. While <see cref="RedisOutageGate"/> says Redis failed, the database
/// answers alone.
/// </summary>
internal sealed partial class ProxyKeyLoader(
    IConnectionMultiplexer redis, ApiKeyLookup lookup, FailedAuthenticationLimiter failures, ProxyKeyOptions options,
    ProxyKeyCache cache, RedisOutageGate redisGate, ILogger logger, CancellationToken stopping)
{
    /// <summary>Writes the record only if no change of the key was announced since its version was read (ARGV[1]).</summary>
    private const string WriteUnlessChangedScript = """
        if (redis.call('GET', KEYS[2]) or '') ~= ARGV[1] then return 0 end
        redis.call('DEL', KEYS[1])
        redis.call('HSET', KEYS[1], unpack(ARGV, 3))
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        return 1
        """;

    private long _redisHits;
    private long _databaseLookups;

    /// <summary>Lookups answered by Redis (the local cache missed).</summary>
    public long RedisHits => Interlocked.Read(ref _redisHits);

    /// <summary>Lookups that reached PostgreSQL.</summary>
    public long DatabaseLookups => Interlocked.Read(ref _databaseLookups);

    public async Task<KeyLoad?> LoadKeyAsync(KeyHash hash, IPAddress? client)
    {
        // A change announced while this load runs must not be overwritten by what the load read before it.
        var generation = cache.Generation;
        var hex = hash.ToHex();
        var redisKey = new RedisKey(ProxyKeyRedisKeys.Record(options.RedisKeyPrefix, hex));
        var versionKey = new RedisKey(ProxyKeyRedisKeys.Version(options.RedisKeyPrefix, hex));
        var (key, version) = await ReadRedisAsync(redisKey, versionKey);
        if (key is not null)
        {
            Interlocked.Increment(ref _redisHits);
        }
        else
        {
            // Neither cache knows the key: the address pays a slot of its minute before PostgreSQL is asked.
            var admission = await failures.AdmitAsync(FailedAuthenticationLimiter.ProxyRealm, client);
            if (!admission.Allowed)
            {
                return new KeyLoad(null, admission);
            }

            Interlocked.Increment(ref _databaseLookups);
            var found = await lookup.FindForProxyAsync(hash.ToArray(), stopping);
            if (found is { } record)
            {
                failures.Release(FailedAuthenticationLimiter.ProxyRealm, client);
                key = record.Key;
                cache.StoreApplication(record.Application, generation);
                if (version is { } read)
                {
                    await WriteRedisAsync(redisKey, versionKey, read, key);
                }
            }
        }

        cache.StoreKey(hash, key, generation);
        return new KeyLoad(key);
    }

    public async Task<ProxyApplication?> LoadApplicationAsync(string applicationId)
    {
        var generation = cache.Generation;
        Interlocked.Increment(ref _databaseLookups);
        var application = await lookup.FindApplicationForProxyAsync(applicationId, stopping);
        if (application is not null)
        {
            cache.StoreApplication(application, generation);
        }

        return application;
    }

    private void RedisFailed(Exception e)
    {
        redisGate.Trip();
        LogRedisFailed(logger, e.Message);
    }

    /// <summary>
    /// The key's shared record, and the version of the key's changes read in the same round trip: the record a load
    /// then writes back must not undo a change made in between (<see cref="ProxyKeyInvalidation"/> bumps it).
    /// A null version means Redis did not answer.
    /// </summary>
    private async Task<(ProxyKey? Key, string? Version)> ReadRedisAsync(RedisKey redisKey, RedisKey versionKey)
    {
        if (!redisGate.IsOpen)
        {
            return (null, null);
        }

        try
        {
            var batch = redis.GetDatabase().CreateBatch();
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

    private async Task WriteRedisAsync(RedisKey redisKey, RedisKey versionKey, string version, ProxyKey key)
    {
        if (!redisGate.IsOpen)
        {
            return;
        }

        try
        {
            var fields = ProxyKeyRecord.Write(key);
            var arguments = new RedisValue[2 + (fields.Length * 2)];
            arguments[0] = version;
            arguments[1] = (long)options.RedisCacheTtl.TotalMilliseconds;
            for (var i = 0; i < fields.Length; i++)
            {
                arguments[2 + (i * 2)] = fields[i].Name;
                arguments[3 + (i * 2)] = fields[i].Value;
            }

            await redis.GetDatabase().ScriptEvaluateAsync(WriteUnlessChangedScript, [redisKey, versionKey], arguments);
        }
        catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
        {
            RedisFailed(e);
        }
    }

    [LoggerMessage(LogLevel.Warning, "Redis is unavailable for key verification, the database answers meanwhile: {Reason}")]
    private static partial void LogRedisFailed(ILogger logger, string reason);
}
