namespace Portal.Core.Audit;

/// <summary>The actions the portal records, as the activity page offers them for filtering.</summary>
public static class AuditActions
{
    public const string UserSignedIn = "user.signed_in";
    public const string UserSignInFailed = "user.sign_in_failed";
    public const string UserSignedOut = "user.signed_out";
    public const string UserTwoFactorEnabled = "user.two_factor_enabled";
    public const string UserTwoFactorDisabled = "user.two_factor_disabled";
    public const string UserRecoveryCodesGenerated = "user.recovery_codes_generated";
    public const string UserPasswordChanged = "user.password_changed";
    public const string UserPasswordReset = "user.password_reset";

    public const string AdminWorkspaceSuspended = "admin.workspace_suspended";
    public const string AdminWorkspaceUnsuspended = "admin.workspace_unsuspended";
    public const string AdminUserSuspended = "admin.user_suspended";
    public const string AdminUserUnsuspended = "admin.user_unsuspended";

    /// <summary>What a workspace's log can hold, grouped by prefix: <c>workspace.</c>, <c>member.</c>, <c>invitation.</c>, <c>admin.</c>.</summary>
    public static readonly IReadOnlyList<string> WorkspaceActions =
    [
        "workspace.created",
        "workspace.updated",
        "workspace.deleted",
        "workspace.restored",
        "workspace.purged",
        "workspace.ownership_transferred",
        "member.joined",
        "member.role_changed",
        "member.removed",
        "member.left",
        "invitation.created",
        "invitation.resent",
        "invitation.revoked",
        "invitation.role_changed",
        AdminWorkspaceSuspended,
        AdminWorkspaceUnsuspended,
    ];

    /// <summary>The prefixes of <see cref="WorkspaceActions"/>, each ending with a dot.</summary>
    public static IEnumerable<string> WorkspacePrefixes =>
        WorkspaceActions.Select(a => a[..(a.IndexOf('.', StringComparison.Ordinal) + 1)]).Distinct();
}
