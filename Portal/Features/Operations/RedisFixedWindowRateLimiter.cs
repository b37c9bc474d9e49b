using System.Threading.RateLimiting;
using Portal.Core.RateLimiting;
using StackExchange.Redis;

namespace Portal.Features.Operations;

/// <summary>
/// A fixed-window limit counted in Redis, so every replica shares it. The count is one atomic script (INCR, and the
/// window's expiry on its first hit). When Redis cannot answer, this replica counts the same window in
/// <paramref name="fallback"/>, so requests are still limited (per replica) and never fail because of Redis. The
/// fallback is one bounded table for every partition, outside this limiter: ASP.NET drops idle partitions' limiters
/// after seconds, which must not reset their counts.
/// </summary>
public sealed class RedisFixedWindowRateLimiter(
    IConnectionMultiplexer redis, string key, int permitLimit, TimeSpan window, RedisFixedWindowFallback fallback, ILogger logger) : RateLimiter
{
    private static readonly LuaScript Script = LuaScript.Prepare(
        "local count = redis.call('INCR', @key) " +
        "if count == 1 then redis.call('PEXPIRE', @key, @window) end " +
        "return { count, redis.call('PTTL', @key) }");

    private readonly RedisKey _key = key;
    private readonly long _windowMs = (long)window.TotalMilliseconds;
    private long _lastUsedTicks = Environment.TickCount64;

    public override TimeSpan? IdleDuration => TimeSpan.FromMilliseconds(Environment.TickCount64 - Interlocked.Read(ref _lastUsedTicks));

    public override RateLimiterStatistics? GetStatistics() => null;

    // Redis is asynchronous: the synchronous attempt declines, and the middleware then asks AcquireAsync.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Declined;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsedTicks, Environment.TickCount64);
        if (!redis.IsConnected)
        {
            return AcquireLocally();
        }

        try
        {
            var result = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Script, new { key = _key, window = _windowMs }))!;
            var count = (long)result[0];
            var remainingMs = Math.Max((long)result[1], 0);
            return count <= permitLimit ? Lease.Granted : Lease.Refused(TimeSpan.FromMilliseconds(remainingMs));
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogFallback(logger, e.GetType().Name);
            return AcquireLocally();
        }
    }

    private Lease AcquireLocally()
    {
        var (allowed, _, reset) = fallback.Windows.GetOrAdd(key, _ => new LocalFixedWindow(_windowMs)).TryAcquire(permitLimit);
        return allowed ? Lease.Granted : Lease.Refused(reset);
    }

    private static void LogFallback(ILogger logger, string error) =>
        logger.LogWarning("Rate limit counted on this replica only: Redis did not answer ({Error})", error);

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);
        public static readonly Lease Declined = new(false, null);

        public static Lease Refused(TimeSpan retryAfter) => new(false, retryAfter);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}

/// <summary>
/// This replica's counts of every <see cref="RedisFixedWindowRateLimiter"/> while Redis is away: one table, bounded
/// by <see cref="Capacity"/> partitions (policy and client address), stale windows evicted first.
/// </summary>
public sealed class RedisFixedWindowFallback
{
    public const int Capacity = 10_000;

    internal LocalLimiterTable<LocalFixedWindow> Windows { get; } = new(Capacity);
}
