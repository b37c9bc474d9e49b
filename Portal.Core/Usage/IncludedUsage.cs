namespace Portal.Core.Usage;

/// <summary>What one plan includes each month (PRODUCT.md's plans table); 0 means no included limit (unlimited, or by contract).</summary>
public sealed class IncludedUsage
{
    /// <summary>One gigabyte as billed: 10^9 bytes (decimal, as storage and transfer are priced).</summary>
    public const long BytesPerGigabyte = 1_000_000_000;

    public long MonthlyActiveUsers { get; set; }

    /// <summary>Proxy requests a month; defaults to the proxy's monthly quota of the plan when that is configured.</summary>
    public long Requests { get; set; }

    public long StorageGigabytes { get; set; }

    public long BandwidthGigabytes { get; set; }

    public long StorageBytes => StorageGigabytes * BytesPerGigabyte;

    public long BandwidthBytes => BandwidthGigabytes * BytesPerGigabyte;

    internal bool IsValid => MonthlyActiveUsers >= 0 && Requests >= 0 && StorageGigabytes is >= 0 and <= 1_000_000_000 && BandwidthGigabytes is >= 0 and <= 1_000_000_000;
}
