namespace Portal.Core.Usage;

/// <summary>The workspace's totals against each amount its plan includes.</summary>
public sealed record PlanUsage(IncludedAmount MonthlyActiveUsers, IncludedAmount Requests, IncludedAmount StorageBytes, IncludedAmount BandwidthBytes);
