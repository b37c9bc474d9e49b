using Portal.Core.Workspaces;

namespace Portal.Features.ControlApi;

/// <summary>The <c>ControlApi:RateLimits</c> section: limits by the caller's plan (PRODUCT.md's plans table).</summary>
public sealed class ControlApiRateLimits
{
    public PlanRateLimit Free { get; set; } = new() { PerMinute = 100, PerDay = 10_000 };

    public PlanRateLimit Pro { get; set; } = new() { PerMinute = 1_000, PerDay = 100_000 };

    /// <summary>Contract terms; the default is a generous ceiling until a contract says otherwise.</summary>
    public PlanRateLimit Enterprise { get; set; } = new() { PerMinute = 5_000, PerDay = 1_000_000 };

    public PlanRateLimit For(WorkspacePlan plan) => plan switch
    {
        WorkspacePlan.Pro => Pro,
        WorkspacePlan.Enterprise => Enterprise,
        _ => Free,
    };
}
