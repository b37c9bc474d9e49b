namespace Portal.Core.Usage;

/// <summary>One interval of an application's metrics, starting at <see cref="Timestamp"/>; an interval without traffic has zeros.</summary>
public sealed record MetricsPoint(
    DateTimeOffset Timestamp, long Requests, long Errors4xx, long Errors5xx, double ErrorRate, LatencyPercentiles LatencyMs, long BytesIn, long BytesOut);
