using StackExchange.Redis;

namespace Portal.Core.RateLimiting;

/// <summary>A window of <see cref="FixedWindowLimiter"/>: at most <paramref name="Limit"/> hits per <paramref name="Length"/>, counted under <paramref name="Key"/>.</summary>
public readonly record struct FixedWindow(RedisKey Key, long Limit, TimeSpan Length);
