using Portal.Core.Workspaces;

namespace Portal.Core.Usage;

/// <summary>The <c>Usage</c> section: the amounts each plan includes, against which the usage page and API measure.</summary>
public sealed class UsageOptions
{
    public const string Section = "Usage";

    public IncludedUsage Free { get; set; } = new() { MonthlyActiveUsers = 10_000, Requests = 100_000, StorageGigabytes = 5, BandwidthGigabytes = 100 };

    public IncludedUsage Pro { get; set; } = new() { MonthlyActiveUsers = 10_000, Requests = 0, StorageGigabytes = 20, BandwidthGigabytes = 100 };

    /// <summary>By contract: nothing by default, set per deployment.</summary>
    public IncludedUsage Enterprise { get; set; } = new();

    public IncludedUsage For(WorkspacePlan plan) => plan switch
    {
        WorkspacePlan.Pro => Pro,
        WorkspacePlan.Enterprise => Enterprise,
        _ => Free,
    };
}
