using Portal.Core.Applications;

namespace Portal.Core.Usage;

/// <summary>
/// One application's usage in a month. Bandwidth is bytes in plus bytes out through the proxy: both directions cross
/// our network and the plan speaks of bandwidth, not egress; both parts are given for billing to choose.
/// Storage is the month's latest sample of the tenant database's size.
/// </summary>
public sealed record ApplicationUsage(
    string Id, string Name, ApplicationStatus Status, long MonthlyActiveUsers, long Requests, long StorageBytes, long BytesIn, long BytesOut)
{
    public long BandwidthBytes => BytesIn + BytesOut;
}
