using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Workspaces;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>A rate limiter's answer, with what the <c>X-RateLimit-*</c> and <c>Retry-After</c> headers say.</summary>
public readonly record struct RateLimitDecision(bool Allowed, int Limit, int Remaining, TimeSpan Reset, TimeSpan RetryAfter, bool Shared)
{
    /// <summary>Whole seconds until the bucket is full again (<c>X-RateLimit-Reset</c>), rounded up.</summary>
    public long ResetSeconds => (long)Math.Ceiling(Reset.TotalSeconds);

    /// <summary>Whole seconds before a refused request may be tried again (<c>Retry-After</c>), at least 1.</summary>
    public long RetryAfterSeconds => Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds));
}

/// <summary>
/// The per-key rate limit of the plan, shared by every proxy replica: GCRA (a leaky bucket of <c>Requests</c> per
/// <c>Period</c>, bursts up to <c>Requests</c>) in one atomic Lua script on Redis's clock. When Redis fails, each replica
/// limits on its own with the same algorithm in memory (so the limit is per replica meanwhile) and tries Redis again
/// after <see cref="ProxyKeyOptions.RedisRetryInterval"/>, so it recovers without a restart.
/// </summary>
public sealed partial class ProxyRateLimiter(IConnectionMultiplexer redis, IOptions<ProxyKeyOptions> options, ILogger<ProxyRateLimiter> logger)
{
    // KEYS[1] the key's bucket; ARGV[1] the period and ARGV[2] the emission interval (period / requests), in µs.
    // Returns allowed (0/1), remaining, µs until the bucket is full, µs before a refused request may be retried.
    private const string Script = """
        local period = tonumber(ARGV[1])
        local emission = tonumber(ARGV[2])
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
        local tat = tonumber(redis.call('GET', KEYS[1]))
        if not tat or tat < now then tat = now end
        local new_tat = tat + emission
        local allow_at = new_tat - period
        if now < allow_at then
          return {0, 0, tat - now, allow_at - now}
        end
        redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000) + 1)
        return {1, math.floor((period - (new_tat - now)) / emission), new_tat - now, 0}
        """;

    private readonly ProxyKeyOptions _options = options.Value;
    private readonly ConcurrentDictionary<string, LocalBucket> _local = new(StringComparer.Ordinal);
    private long _redisRetryAt;

    /// <summary>Whether the last decisions came from this replica's own limiter (Redis unavailable).</summary>
    public bool Degraded => Environment.TickCount64 < Interlocked.Read(ref _redisRetryAt);

    public async ValueTask<RateLimitDecision> AcquireAsync(string keyId, WorkspacePlan plan)
    {
        var limit = _options.LimitFor(plan);
        var period = (long)(limit.Period.Ticks / 10);
        var emission = period / Math.Max(1, limit.Requests);
        if (!Degraded)
        {
            try
            {
                var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
                    Script, [new RedisKey(_options.RedisKeyPrefix + "rl:" + keyId)], [period, emission]))!;
                return new RateLimitDecision(
                    (int)result[0] == 1, limit.Requests, (int)result[1],
                    TimeSpan.FromMicroseconds((long)result[2]), TimeSpan.FromMicroseconds((long)result[3]), Shared: true);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                Interlocked.Exchange(ref _redisRetryAt, Environment.TickCount64 + (long)_options.RedisRetryInterval.TotalMilliseconds);
                LogRedisFailed(logger, e.Message);
            }
        }

        return AcquireLocal(keyId, limit.Requests, period, emission);
    }

    private RateLimitDecision AcquireLocal(string keyId, int requests, long period, long emission)
    {
        if (_local.Count > _options.LocalCacheCapacity)
        {
            _local.Clear();
        }

        var bucket = _local.GetOrAdd(keyId, static _ => new LocalBucket());
        var now = (long)Stopwatch.GetElapsedTime(0).TotalMicroseconds;
        lock (bucket)
        {
            var tat = Math.Max(bucket.Tat, now);
            var newTat = tat + emission;
            var allowAt = newTat - period;
            if (now < allowAt)
            {
                return new RateLimitDecision(false, requests, 0, TimeSpan.FromMicroseconds(tat - now), TimeSpan.FromMicroseconds(allowAt - now), Shared: false);
            }

            bucket.Tat = newTat;
            return new RateLimitDecision(true, requests, (int)((period - (newTat - now)) / emission), TimeSpan.FromMicroseconds(newTat - now), TimeSpan.Zero, Shared: false);
        }
    }

    private sealed class LocalBucket
    {
        public long Tat { get; set; }
    }

    [LoggerMessage(LogLevel.Warning, "Redis is unavailable for rate limiting, each proxy replica limits on its own meanwhile: {Reason}")]
    private static partial void LogRedisFailed(ILogger logger, string reason);
}
