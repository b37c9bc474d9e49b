namespace Portal.Core.Usage;

/// <summary>An application's metrics over the whole period; percentiles from all the period's requests, not averaged points.</summary>
public sealed record MetricsTotals(long Requests, long Errors4xx, long Errors5xx, double ErrorRate, LatencyPercentiles LatencyMs, long BytesIn, long BytesOut);
