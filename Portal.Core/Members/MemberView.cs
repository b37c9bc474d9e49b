using Portal.Core.Workspaces;

namespace Portal.Core.Members;

/// <summary>
/// A row of a workspace's members list. <see cref="Id"/> is the member's id (<c>mem_…</c>) or, for an invitation,
/// the invitation's (<c>inv_…</c>), so that one path changes or removes either.
/// </summary>
public sealed record MemberView(
    string Id,
    string? UserId,
    string Email,
    string? Name,
    WorkspaceRole Role,
    MemberStatus Status,
    DateTimeOffset? JoinedAt,
    DateTimeOffset? InvitedAt,
    DateTimeOffset? ExpiresAt,
    bool TwoFactorEnabled);
