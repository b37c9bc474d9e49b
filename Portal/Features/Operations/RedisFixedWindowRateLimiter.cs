using System.Threading.RateLimiting;
using Portal.Core.RateLimiting;

namespace Portal.Features.Operations;

/// <summary>
/// ASP.NET's rate-limiting middleware's face of the portal's one <see cref="FixedWindowLimiter"/>: a fixed window of
/// <paramref name="permitLimit"/> per <paramref name="window"/> under <paramref name="key"/>, shared by the replicas
/// through Redis. The counts (and their fallback while Redis is away) live in the limiter, a singleton, not here:
/// ASP.NET drops idle partitions' limiters after seconds, which must not reset their counts.
/// </summary>
public sealed class RedisFixedWindowRateLimiter(FixedWindowLimiter limiter, string key, int permitLimit, TimeSpan window, TimeProvider clock) : RateLimiter
{
    private long _lastUsed = clock.GetTimestamp();

    public override TimeSpan? IdleDuration => clock.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    // Redis is asynchronous: the synchronous attempt declines, and the middleware then asks AcquireAsync.
    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Declined;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, clock.GetTimestamp());
        var decision = await limiter.AcquireAsync(new FixedWindow(key, permitLimit, window));
        return decision.Allowed ? Lease.Granted : Lease.Refused(decision.First.Reset);
    }

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
