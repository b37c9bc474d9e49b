namespace Portal.Core;

/// <summary>
/// Durations in the units of <see cref="TimeProvider.GetTimestamp"/>, so that caches and limiters compare two
/// <see langword="long"/>s on their hot paths (no <see cref="TimeSpan"/> arithmetic, nothing allocated).
/// </summary>
internal static class TimestampSpans
{
    /// <summary><paramref name="span"/> in timestamp units of <paramref name="clock"/> (saturating, never overflowing).</summary>
    public static long ToTimestampSpan(this TimeProvider clock, TimeSpan span)
    {
        var units = (Int128)span.Ticks * clock.TimestampFrequency / TimeSpan.TicksPerSecond;
        return units > long.MaxValue ? long.MaxValue : units < long.MinValue ? long.MinValue : (long)units;
    }

    /// <summary>Timestamp units of <paramref name="clock"/> as a <see cref="TimeSpan"/>.</summary>
    public static TimeSpan FromTimestampSpan(this TimeProvider clock, long units) =>
        TimeSpan.FromTicks((long)((Int128)units * TimeSpan.TicksPerSecond / clock.TimestampFrequency));

    /// <summary><paramref name="timestamp"/> plus <paramref name="span"/>, saturating at <see cref="long.MaxValue"/>.</summary>
    public static long After(long timestamp, long span) => timestamp > long.MaxValue - span ? long.MaxValue : timestamp + span;
}
