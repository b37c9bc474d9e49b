using System.Globalization;

namespace Portal.Core.Usage;

/// <summary>The period and interval of a metrics query, validated: known values, at most <see cref="MaxPoints"/> points, per-minute data only as far back as it is kept.</summary>
public sealed record MetricsRange(string Period, string Interval, TimeSpan PeriodLength, TimeSpan IntervalLength)
{
    public const int MaxPoints = 1_500;

    public const string DefaultPeriod = "24h";

    private static readonly (string Name, TimeSpan Length, string DefaultInterval)[] Periods =
    [
        ("1h", TimeSpan.FromHours(1), "1m"),
        ("24h", TimeSpan.FromHours(24), "5m"),
        ("7d", TimeSpan.FromDays(7), "1h"),
        ("30d", TimeSpan.FromDays(30), "1d"),
    ];

    private static readonly (string Name, TimeSpan Length)[] Intervals =
    [
        ("1m", TimeSpan.FromMinutes(1)),
        ("5m", TimeSpan.FromMinutes(5)),
        ("1h", TimeSpan.FromHours(1)),
        ("1d", TimeSpan.FromDays(1)),
    ];

    public static IReadOnlyList<string> PeriodNames { get; } = Periods.Select(p => p.Name).ToArray();

    public static IReadOnlyList<string> IntervalNames { get; } = Intervals.Select(i => i.Name).ToArray();

    public int Points => (int)(PeriodLength.Ticks / IntervalLength.Ticks);

    /// <summary>Whether the points are read from per-minute rows (else per-hour or per-day rows).</summary>
    public bool FromMinutes => IntervalLength < TimeSpan.FromHours(1);

    public bool FromHours => IntervalLength == TimeSpan.FromHours(1);

    /// <summary>The interval the period is shown in when none is asked for.</summary>
    public static string DefaultIntervalFor(string period) => Periods.First(p => p.Name == period).DefaultInterval;

    /// <param name="minuteRetention">How long per-minute rows are kept: a per-minute interval cannot look further back.</param>
    public static Outcome<MetricsRange> Parse(string? period, string? interval, TimeSpan minuteRetention)
    {
        period = string.IsNullOrEmpty(period) ? DefaultPeriod : period;
        var p = Array.FindIndex(Periods, x => x.Name == period);
        if (p < 0)
        {
            return Failure.Invalid("period", $"period is one of {string.Join(", ", PeriodNames)}.");
        }

        interval = string.IsNullOrEmpty(interval) ? Periods[p].DefaultInterval : interval;
        var i = Array.FindIndex(Intervals, x => x.Name == interval);
        if (i < 0)
        {
            return Failure.Invalid("interval", $"interval is one of {string.Join(", ", IntervalNames)}.");
        }

        var range = new MetricsRange(period, interval, Periods[p].Length, Intervals[i].Length);
        if (range.IntervalLength > range.PeriodLength)
        {
            return Failure.Invalid("interval", $"interval {interval} is longer than the period {period}.");
        }

        if (range.FromMinutes && range.PeriodLength > minuteRetention)
        {
            return Failure.Invalid("interval",
                $"interval {interval} needs per-minute data, kept for {minuteRetention.TotalHours.ToString(CultureInfo.InvariantCulture)} hours only: choose 1h or longer for the period {period}.");
        }

        if (range.Points > MaxPoints)
        {
            return Failure.Invalid("interval",
                $"interval {interval} over {period} gives {range.Points.ToString("N0", CultureInfo.InvariantCulture)} points, more than {MaxPoints.ToString("N0", CultureInfo.InvariantCulture)}: choose a longer interval.");
        }

        return range;
    }
}
