namespace Portal.Core;

/// <summary>
/// The one back-off of the code base: exponential with a cap, and equal jitter. Attempt <c>n</c> (from 0) waits a
/// random time in [c/2, c], where c = min(<c>cap</c>, <c>first</c>·2ⁿ). Equal jitter rather than full jitter (random
/// in [0, c]): a retry never comes at once after a failure, which would hit a struggling server again immediately,
/// while many callers that failed together still spread over half the window.
/// </summary>
public static class BackOff
{
    /// <summary>How long to wait before retry number <paramref name="attempt"/> (0 for the first retry).</summary>
    public static TimeSpan Delay(int attempt, TimeSpan first, TimeSpan cap) => Delay(attempt, first, cap, Random.Shared);

    /// <summary>As <see cref="Delay(int, TimeSpan, TimeSpan)"/> with the given source of randomness (tests).</summary>
    public static TimeSpan Delay(int attempt, TimeSpan first, TimeSpan cap, Random random)
    {
        var ceiling = Ceiling(attempt, first, cap).Ticks;
        var half = ceiling / 2;
        return TimeSpan.FromTicks(half + random.NextInt64(ceiling - half + 1));
    }

    /// <summary>The upper bound of attempt <paramref name="attempt"/>'s wait: min(<paramref name="cap"/>, <paramref name="first"/>·2^attempt), never overflowing.</summary>
    public static TimeSpan Ceiling(int attempt, TimeSpan first, TimeSpan cap)
    {
        if (first <= TimeSpan.Zero || cap <= TimeSpan.Zero)
        {
            return TimeSpan.Zero;
        }

        attempt = Math.Max(0, attempt);
        // first·2^attempt exceeds the cap as soon as first exceeds cap / 2^attempt: the comparison never overflows.
        return attempt >= 62 || first.Ticks > cap.Ticks >> attempt ? cap : TimeSpan.FromTicks(first.Ticks << attempt);
    }
}
