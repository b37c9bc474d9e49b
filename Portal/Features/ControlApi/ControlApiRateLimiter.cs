using Portal.Core.RateLimiting;
using StackExchange.Redis;

namespace Portal.Features.ControlApi;

/// <summary>
/// The control API's rate limit: a plan's minute and day windows per partition (user, login address), counted by the
/// portal's one <see cref="FixedWindowLimiter"/> (Redis shared by the replicas, a bounded local fallback), answered
/// as the <c>X-RateLimit-*</c> headers say it.
/// </summary>
public sealed class ControlApiRateLimiter(FixedWindowLimiter limiter, Hosting.PortalOptions portal)
{
    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    public async Task<RateLimitDecision> AcquireAsync(string partition, PlanRateLimit limit)
    {
        var (minuteKey, dayKey) = Keys(partition);
        var decision = await limiter.AcquireAsync(new FixedWindow(minuteKey, limit.PerMinute, Minute), new FixedWindow(dayKey, limit.PerDay, Day));
        var (minute, day) = (decision.First, decision.Second);
        var resetSeconds = Seconds(minute.Reset);
        var remaining = (int)Math.Max(0, Math.Min(limit.PerMinute - minute.Count, limit.PerDay - day.Count));
        var retryAfter = day.Count >= limit.PerDay ? Seconds(day.Reset) : resetSeconds;
        return new RateLimitDecision(decision.Allowed, limit.PerMinute, remaining, resetSeconds, Math.Max(1, retryAfter));
    }

    /// <summary>
    /// The partition's two windows, hash-tagged by the partition so that both keys of a script call share one Redis
    /// Cluster slot.
    /// </summary>
    internal (RedisKey Minute, RedisKey Day) Keys(string partition)
    {
        var prefix = $"{portal.RedisKeyPrefix}control-api:ratelimit:{{{partition}}}";
        return ($"{prefix}:m", $"{prefix}:d");
    }

    private static int Seconds(TimeSpan reset) => (int)Math.Ceiling(reset.TotalMilliseconds / 1000.0);
}
