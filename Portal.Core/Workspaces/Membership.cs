namespace Portal.Core.Workspaces;

/// <summary>What the access checks need to know of a user in a workspace, read in one query.</summary>
public sealed record Membership(
    string WorkspaceId,
    string MemberId,
    string UserId,
    WorkspaceRole Role,
    WorkspaceStatus WorkspaceStatus,
    bool WorkspaceRequiresTwoFactor,
    bool UserHasTwoFactor)
{
    /// <summary>The workspace wants two-factor authentication and this member has not set it up.</summary>
    public bool MustSetUpTwoFactor => WorkspaceRequiresTwoFactor && !UserHasTwoFactor;
}
