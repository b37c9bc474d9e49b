using Portal.Core.Accounts;
using Portal.Core.Workspaces;

namespace Portal.Core.Members;

/// <summary>A user's membership in a workspace, with one role.</summary>
public class Member
{
    public string Id { get; set; } = Ids.New("mem");

    public required string WorkspaceId { get; set; }

    public Workspace? Workspace { get; set; }

    public required string UserId { get; set; }

    public PortalUser? User { get; set; }

    public WorkspaceRole Role { get; set; }

    public DateTimeOffset JoinedAt { get; set; }

    /// <summary>When the member joined through an invitation: when it was sent.</summary>
    public DateTimeOffset? InvitedAt { get; set; }
}
