using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Portal.Core;
using Portal.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// Grants a <see cref="WorkspacePermissionRequirement"/> when the user's role in the workspace allows it, through the
/// same <see cref="WorkspaceAccess"/> check the use cases make. The refusal's reason is kept for the caller to show.
/// </summary>
internal sealed class WorkspacePermissionHandler(IDbContextFactory<PortalDbContext> dbFactory)
    : AuthorizationHandler<WorkspacePermissionRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, WorkspacePermissionRequirement requirement)
    {
        var workspaceId = context.Resource switch
        {
            string id => id,
            HttpContext http => http.GetRouteValue(WorkspacePolicies.RouteValue) as string,
            // A page's [Authorize] as AuthorizeRouteView checks it, when Routes passes the route data as the resource.
            Microsoft.AspNetCore.Components.RouteData route => route.RouteValues.GetValueOrDefault(WorkspacePolicies.RouteValue) as string,
            _ => null,
        };
        var userId = context.User.FindFirstValue(ClaimTypes.NameIdentifier);
        if (workspaceId is null || userId is null)
        {
            return;
        }

        await using var db = await dbFactory.CreateDbContextAsync();
        var membership = await WorkspaceAccess.FindAsync(db, userId, workspaceId);
        if (WorkspaceAccess.Check(membership, requirement.Permission) is { } failure)
        {
            context.Fail(new WorkspaceAuthorizationFailure(this, failure));
            return;
        }

        context.Succeed(requirement);
    }
}
