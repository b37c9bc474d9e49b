using Microsoft.AspNetCore.Authorization;
using Portal.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// One authorization policy per <see cref="WorkspacePermission"/>, keyed on the workspace: the route value
/// <c>workspaceId</c> for endpoints and pages, or the workspace id passed as the resource (<c>AuthorizeView Resource</c>).
/// </summary>
public static class WorkspacePolicies
{
    public const string RouteValue = "WorkspaceId";

    public const string View = "workspace:View";
    public const string ManageApplications = "workspace:ManageApplications";
    public const string ManageMembers = "workspace:ManageMembers";
    public const string ManageSettings = "workspace:ManageSettings";
    public const string ViewBilling = "workspace:ViewBilling";
    public const string ManageBilling = "workspace:ManageBilling";
    public const string Own = "workspace:Own";

    public static string For(WorkspacePermission permission) => $"workspace:{permission}";

    /// <summary>The workspace id among a page's route values, whatever the case of its parameter's name.</summary>
    public static string? WorkspaceIdIn(IReadOnlyDictionary<string, object?> routeValues) =>
        routeValues.FirstOrDefault(pair => string.Equals(pair.Key, RouteValue, StringComparison.OrdinalIgnoreCase)).Value as string;

    public static AuthorizationBuilder AddWorkspacePolicies(this AuthorizationBuilder builder)
    {
        foreach (var permission in Enum.GetValues<WorkspacePermission>())
        {
            builder.AddPolicy(For(permission), policy => policy
                .RequireAuthenticatedUser()
                .AddRequirements(new WorkspacePermissionRequirement(permission)));
        }

        return builder;
    }
}
