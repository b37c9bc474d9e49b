using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Portal.Core.RateLimiting;

/// <summary>
/// The fixed-window limiter of the portal (control API per user and per login address, account forms per client
/// address): one or two windows of one partition (a minute and a day) counted in Redis, so that every replica shares
/// them, in one atomic script; a refused hit is counted in no window. When Redis cannot answer, this replica counts
/// the same windows on its own, on the injected clock: requests stay limited, per replica, and never fail because of
/// Redis; what it counts meanwhile is bounded (<see cref="LocalCapacity"/> partitions,
/// <see cref="LocalLimiterTable{TState}"/>). The two windows' keys must share a Redis Cluster slot (hash-tag them).
/// </summary>
public sealed partial class FixedWindowLimiter(IConnectionMultiplexer redis, TimeProvider clock, ILogger<FixedWindowLimiter> logger)
{
    /// <summary>Partitions one replica counts on its own at most while Redis is away.</summary>
    public const int LocalCapacity = 10_000;

    // KEYS: the windows' counters; ARGV[2i-1] window i's limit, ARGV[2i] its length in ms. Returns
    // {allowed, count 1, ms left 1, count 2, ms left 2}: a refusal (any window full) increments nothing.
    private const string Script = """
        local allowed = 1
        local counts = {}
        for i = 1, #KEYS do
          counts[i] = tonumber(redis.call('GET', KEYS[i]) or '0')
          if counts[i] >= tonumber(ARGV[2 * i - 1]) then allowed = 0 end
        end
        local out = { allowed }
        for i = 1, #KEYS do
          if allowed == 1 then
            counts[i] = redis.call('INCR', KEYS[i])
            if counts[i] == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[2 * i]) end
          end
          out[#out + 1] = counts[i]
          out[#out + 1] = redis.call('PTTL', KEYS[i])
        end
        return out
        """;

    private readonly LocalLimiterTable<LocalWindows> _local = new(LocalCapacity, clock);

    /// <summary>Partitions this replica counts on its own (Redis away), for tests.</summary>
    internal int LocalPartitions => _local.Count;

    /// <summary>Counts one hit in <paramref name="window"/>, unless it is full.</summary>
    public ValueTask<FixedWindowDecision> AcquireAsync(FixedWindow window) => AcquireAsync(window, null);

    /// <summary>Counts one hit in <paramref name="first"/> and <paramref name="second"/> (one partition's two windows), unless either is full.</summary>
    public async ValueTask<FixedWindowDecision> AcquireAsync(FixedWindow first, FixedWindow? second)
    {
        if (redis.IsConnected)
        {
            try
            {
                RedisKey[] keys = second is { } s ? [first.Key, s.Key] : [first.Key];
                RedisValue[] values = second is { } w
                    ? [first.Limit, Milliseconds(first.Length), w.Limit, Milliseconds(w.Length)]
                    : [first.Limit, Milliseconds(first.Length)];
                var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script, keys, values))!;
                return new FixedWindowDecision(
                    (long)result[0] == 1,
                    Count((long)result[1], (long)result[2], first.Length),
                    second is { } day ? Count((long)result[3], (long)result[4], day.Length) : default);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                LogFallback(logger, e.GetType().Name);
            }
        }

        // The first window's key names the partition on this replica too.
        return _local.GetOrAdd((string)first.Key!, _ => new LocalWindows(first.Length, second?.Length, clock)).Acquire(first.Limit, second?.Limit);
    }

    private static long Milliseconds(TimeSpan span) => (long)span.TotalMilliseconds;

    // A key without a TTL yet (-1/-2) is a window that has not started: it resets a whole window from now.
    private static FixedWindowCount Count(long count, long ttlMs, TimeSpan length) =>
        new(count, ttlMs > 0 ? TimeSpan.FromMilliseconds(ttlMs) : length);

    [LoggerMessage(LogLevel.Warning, "Rate limit counted on this replica only: Redis did not answer ({Error})")]
    private static partial void LogFallback(ILogger logger, string error);

    /// <summary>A partition's windows on this replica: the same lengths and limits as in Redis.</summary>
    private sealed class LocalWindows(TimeSpan firstLength, TimeSpan? secondLength, TimeProvider clock) : ILocalLimiterState
    {
        private readonly Lock _lock = new();
        private readonly long _firstLength = clock.ToTimestampSpan(firstLength);
        private readonly long _secondLength = clock.ToTimestampSpan(secondLength ?? firstLength);
        private long _firstStart = clock.GetTimestamp();
        private long _secondStart = clock.GetTimestamp();
        private long _firstCount;
        private long _secondCount;

        /// <summary>Both windows ended: a new state decides the same.</summary>
        public bool IsStale(long now)
        {
            lock (_lock)
            {
                return now - _firstStart >= _firstLength && now - _secondStart >= _secondLength;
            }
        }

        public FixedWindowDecision Acquire(long firstLimit, long? secondLimit)
        {
            lock (_lock)
            {
                var now = clock.GetTimestamp();
                if (now - _firstStart >= _firstLength)
                {
                    _firstStart = now;
                    _firstCount = 0;
                }

                if (now - _secondStart >= _secondLength)
                {
                    _secondStart = now;
                    _secondCount = 0;
                }

                var allowed = _firstCount < firstLimit && (secondLimit is not { } limit || _secondCount < limit);
                if (allowed)
                {
                    _firstCount++;
                    _secondCount++;
                }

                return new FixedWindowDecision(
                    allowed,
                    new FixedWindowCount(_firstCount, clock.FromTimestampSpan(_firstLength - (now - _firstStart))),
                    secondLimit is null ? default : new FixedWindowCount(_secondCount, clock.FromTimestampSpan(_secondLength - (now - _secondStart))));
            }
        }
    }
}
