namespace Portal.Core.Usage;

/// <summary>
/// An application's metrics over <see cref="Period"/> in points of <see cref="Interval"/>: <see cref="From"/> is the
/// first point's start, <see cref="To"/> the end of the last point, which is the interval still running.
/// </summary>
public sealed record ApplicationMetrics(
    string ApplicationId, string Period, string Interval, DateTimeOffset From, DateTimeOffset To, MetricsTotals Totals, ActiveUsers ActiveUsers,
    IReadOnlyList<MetricsPoint> Series, StorageSize Storage);
