namespace Portal.Core.Workspaces;

/// <summary>A workspace as one of its members sees it in lists and on its home page.</summary>
public sealed record WorkspaceSummary(
    string Id,
    string Name,
    string Slug,
    WorkspacePlan Plan,
    WorkspaceStatus Status,
    WorkspaceRole Role,
    int MembersCount,
    Dictionary<string, string> Metadata,
    bool RequireTwoFactor,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeletedAt);
