namespace Portal.Core.Usage;

/// <summary>Latency percentiles in milliseconds (bucket bounds of the merged histograms); null where nothing was counted.</summary>
public sealed record LatencyPercentiles(double? P50, double? P95, double? P99)
{
    public static readonly LatencyPercentiles None = new(null, null, null);
}
