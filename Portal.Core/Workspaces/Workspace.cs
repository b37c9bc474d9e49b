namespace Portal.Core.Workspaces;

/// <summary>A customer account: members, plan, billing and applications hang from it.</summary>
public class Workspace
{
    public string Id { get; set; } = Ids.New("ws");

    public required string Name { get; set; }

    /// <summary>Unique across the platform, also among deleted workspaces until they are purged.</summary>
    public required string Slug { get; set; }

    public WorkspacePlan Plan { get; set; } = WorkspacePlan.Free;

    public WorkspaceStatus Status { get; set; } = WorkspaceStatus.Active;

    /// <summary>A small map of the customer's own string values (cost centre, team, …).</summary>
    public Dictionary<string, string> Metadata { get; set; } = [];

    /// <summary>Members without two-factor authentication must set it up before they can open the workspace.</summary>
    public bool RequireTwoFactor { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedByUserId { get; set; }

    public DateTimeOffset? DeletedAt { get; set; }

    public DateTimeOffset? SuspendedAt { get; set; }

    public string? SuspensionReason { get; set; }

    /// <summary>PostgreSQL's row version: two edits of the same workspace cannot silently overwrite each other.</summary>
    public uint Version { get; set; }
}
