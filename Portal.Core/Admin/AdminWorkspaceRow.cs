using Portal.Core.Workspaces;

namespace Portal.Core.Admin;

/// <summary>A workspace as the platform administrators' list shows it.</summary>
public sealed record AdminWorkspaceRow(
    string Id,
    string Name,
    string Slug,
    WorkspacePlan Plan,
    WorkspaceStatus Status,
    int MembersCount,
    DateTimeOffset CreatedAt,
    DateTimeOffset? SuspendedAt,
    string? SuspensionReason);
