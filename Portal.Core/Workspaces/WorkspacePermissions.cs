namespace Portal.Core.Workspaces;

/// <summary>The roles table of PRODUCT.md, in one place: pages, buttons, API endpoints and use cases all ask here.</summary>
public static class WorkspacePermissions
{
    public static bool Allows(WorkspaceRole role, WorkspacePermission permission) => permission switch
    {
        WorkspacePermission.View => true,
        WorkspacePermission.ManageApplications => role is WorkspaceRole.Owner or WorkspaceRole.Admin or WorkspaceRole.Developer,
        WorkspacePermission.ManageMembers => role is WorkspaceRole.Owner or WorkspaceRole.Admin,
        WorkspacePermission.ManageSettings => role is WorkspaceRole.Owner or WorkspaceRole.Admin,
        WorkspacePermission.ViewBilling => role is not WorkspaceRole.Viewer,
        WorkspacePermission.ManageBilling => role is WorkspaceRole.Owner or WorkspaceRole.Admin or WorkspaceRole.Billing,
        WorkspacePermission.Own => role is WorkspaceRole.Owner,
        _ => false,
    };

    /// <summary>Whether the permission changes something, and so is refused while the workspace is suspended.</summary>
    public static bool Mutates(WorkspacePermission permission) =>
        permission is not (WorkspacePermission.View or WorkspacePermission.ViewBilling);

    public static string Describe(WorkspacePermission permission) => permission switch
    {
        WorkspacePermission.View => "view this workspace",
        WorkspacePermission.ManageApplications => "manage applications",
        WorkspacePermission.ManageMembers => "manage members",
        WorkspacePermission.ManageSettings => "change workspace settings",
        WorkspacePermission.ViewBilling => "see billing",
        WorkspacePermission.ManageBilling => "manage billing",
        WorkspacePermission.Own => "do what only an owner can",
        _ => permission.ToString(),
    };
}
