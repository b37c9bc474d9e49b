namespace Portal.Core;

/// <summary>
/// Whole UTC days as instants, for filters and expiries chosen by day. The end of the last representable day
/// (9999-12-31) is <see cref="DateTimeOffset.MaxValue"/>: adding a day there throws, which answered 500.
/// </summary>
public static class UtcDays
{
    public static DateTimeOffset Start(DateTime day) => new(day.Date, TimeSpan.Zero);

    /// <summary>The first instant after <paramref name="day"/> (exclusive end), or the last instant there is.</summary>
    public static DateTimeOffset End(DateTime day) =>
        day.Date == DateTime.MaxValue.Date ? DateTimeOffset.MaxValue : new DateTimeOffset(day.Date.AddDays(1), TimeSpan.Zero);
}
