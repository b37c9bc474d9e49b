namespace Portal.Core.Workspaces;

/// <summary>What a member may do in a workspace; <see cref="WorkspacePermissions"/> says which roles have each.</summary>
public enum WorkspacePermission
{
    /// <summary>See the workspace, its applications, usage and activity.</summary>
    View,

    /// <summary>Create, update, delete, restart and scale applications; manage keys and webhooks.</summary>
    ManageApplications,

    /// <summary>Invite and remove members, change roles.</summary>
    ManageMembers,

    /// <summary>Rename the workspace, change its metadata and security settings.</summary>
    ManageSettings,

    /// <summary>See billing, plan and invoices.</summary>
    ViewBilling,

    /// <summary>Change the plan and payment method.</summary>
    ManageBilling,

    /// <summary>Delete or restore the workspace, transfer ownership, make or remove owners.</summary>
    Own,
}
