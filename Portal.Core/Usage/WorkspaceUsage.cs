using Portal.Core.Workspaces;

namespace Portal.Core.Usage;

/// <summary>A workspace's usage in the month <see cref="Period"/> (<c>YYYY-MM</c>, UTC, from <see cref="From"/> to <see cref="To"/> exclusive).</summary>
public sealed record WorkspaceUsage(
    string WorkspaceId, string Period, WorkspacePlan Plan, DateTimeOffset From, DateTimeOffset To, IReadOnlyList<ApplicationUsage> Applications,
    UsageTotals Totals, PlanUsage Included);
