namespace Portal.Core.Usage;

/// <summary>A workspace's usage in a month, summed over its applications.</summary>
public sealed record UsageTotals(long MonthlyActiveUsers, long Requests, long StorageBytes, long BytesIn, long BytesOut)
{
    public long BandwidthBytes => BytesIn + BytesOut;
}
