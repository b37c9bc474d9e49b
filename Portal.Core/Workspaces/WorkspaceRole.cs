namespace Portal.Core.Workspaces;

/// <summary>A member's role; the order is from most to least powerful.</summary>
public enum WorkspaceRole
{
    Owner,
    Admin,
    Developer,
    Billing,
    Viewer,
}
