using Portal.Core.RateLimiting;
using StackExchange.Redis;

namespace Portal.Features.ControlApi;

/// <summary>
/// Counts requests per partition in two fixed windows at once, a minute and a day, in Redis so that every replica
/// shares them (one atomic script; a refused request is not counted). When Redis cannot answer, this replica counts
/// on its own: requests stay limited, per replica, and never fail because of Redis; what it counts meanwhile is
/// bounded (<see cref="LocalCapacity"/> partitions, <see cref="LocalLimiterTable{TState}"/>).
/// </summary>
public sealed partial class ControlApiRateLimiter(IConnectionMultiplexer redis, Hosting.PortalOptions portal, ILogger<ControlApiRateLimiter> logger)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    private static readonly LuaScript Script = LuaScript.Prepare(
        "local m = tonumber(redis.call('GET', @minuteKey) or '0') " +
        "local d = tonumber(redis.call('GET', @dayKey) or '0') " +
        "if m >= tonumber(@perMinute) or d >= tonumber(@perDay) then " +
        "  return { 0, m, redis.call('PTTL', @minuteKey), d, redis.call('PTTL', @dayKey) } end " +
        "m = redis.call('INCR', @minuteKey) " +
        "if m == 1 then redis.call('PEXPIRE', @minuteKey, @minuteMs) end " +
        "d = redis.call('INCR', @dayKey) " +
        "if d == 1 then redis.call('PEXPIRE', @dayKey, @dayMs) end " +
        "return { 1, m, redis.call('PTTL', @minuteKey), d, redis.call('PTTL', @dayKey) }");

    /// <summary>Partitions (users, login addresses) one replica counts on its own at most while Redis is away.</summary>
    public const int LocalCapacity = 10_000;

    private readonly LocalLimiterTable<LocalWindows> _local = new(LocalCapacity);

    /// <summary>Partitions this replica counts on its own (Redis away), for tests.</summary>
    internal int LocalPartitions => _local.Count;

    public async Task<RateLimitDecision> AcquireAsync(string partition, PlanRateLimit limit)
    {
        if (redis.IsConnected)
        {
            try
            {
                var (minuteKey, dayKey) = Keys(partition);
                var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script, new
                {
                    minuteKey,
                    dayKey,
                    perMinute = limit.PerMinute,
                    perDay = limit.PerDay,
                    minuteMs = (long)Minute.TotalMilliseconds,
                    dayMs = (long)Day.TotalMilliseconds,
                }))!;
                return Decide((long)result[0] == 1, limit, (long)result[1], (long)result[2], (long)result[3], (long)result[4]);
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                LogFallback(logger, e.GetType().Name);
            }
        }

        return _local.GetOrAdd(partition, static _ => new LocalWindows()).Acquire(limit);
    }

    /// <summary>
    /// The partition's two windows, hash-tagged by the partition so that both keys of a script call share one Redis
    /// Cluster slot (LuaScript passes RedisKey parameters as KEYS).
    /// </summary>
    internal (RedisKey Minute, RedisKey Day) Keys(string partition)
    {
        var prefix = $"{portal.RedisKeyPrefix}control-api:ratelimit:{{{partition}}}";
        return ($"{prefix}:m", $"{prefix}:d");
    }

    private static RateLimitDecision Decide(bool allowed, PlanRateLimit limit, long minuteCount, long minuteTtlMs, long dayCount, long dayTtlMs)
    {
        var resetSeconds = Seconds(minuteTtlMs, Minute);
        var remaining = (int)Math.Max(0, Math.Min(limit.PerMinute - minuteCount, limit.PerDay - dayCount));
        var retryAfter = dayCount >= limit.PerDay ? Seconds(dayTtlMs, Day) : resetSeconds;
        return new RateLimitDecision(allowed, limit.PerMinute, remaining, resetSeconds, Math.Max(1, retryAfter));
    }

    // A key without a TTL yet (-1/-2) is a window that has not started: it resets a whole window from now.
    private static int Seconds(long ttlMs, TimeSpan window) => (int)Math.Ceiling((ttlMs > 0 ? ttlMs : window.TotalMilliseconds) / 1000.0);

    [LoggerMessage(LogLevel.Warning, "Control API rate limit counted on this replica only: Redis did not answer ({Error})")]
    private static partial void LogFallback(ILogger logger, string error);

    private sealed class LocalWindows : ILocalLimiterState
    {
        private readonly Lock _lock = new();
        private long _minuteStart = Environment.TickCount64;
        private long _dayStart = Environment.TickCount64;
        private long _minuteCount;
        private long _dayCount;

        public bool IsStale(long now)
        {
            lock (_lock)
            {
                return now - _dayStart > Day.TotalMilliseconds;
            }
        }

        public RateLimitDecision Acquire(PlanRateLimit limit)
        {
            lock (_lock)
            {
                var now = Environment.TickCount64;
                if (now - _minuteStart >= Minute.TotalMilliseconds)
                {
                    _minuteStart = now;
                    _minuteCount = 0;
                }

                if (now - _dayStart >= Day.TotalMilliseconds)
                {
                    _dayStart = now;
                    _dayCount = 0;
                }

                var allowed = _minuteCount < limit.PerMinute && _dayCount < limit.PerDay;
                if (allowed)
                {
                    _minuteCount++;
                    _dayCount++;
                }

                return Decide(allowed, limit, _minuteCount, (long)Minute.TotalMilliseconds - (now - _minuteStart),
                    _dayCount, (long)Day.TotalMilliseconds - (now - _dayStart));
            }
        }
    }
}
