using Microsoft.EntityFrameworkCore;
using Portal.Core.Workspaces;

namespace Portal.Core.Applications;

/// <summary>An application is reached through its workspace: the caller's role there decides, and outsiders get 404.</summary>
internal static class ApplicationAccess
{
    public static async Task<Outcome<Application>> RequireAsync(
        PortalDbContext db, string? userId, string applicationId, WorkspacePermission permission, CancellationToken cancellationToken)
    {
        var application = await db.Set<Application>()
            .SingleOrDefaultAsync(a => a.Id == applicationId && a.Status != ApplicationStatus.Deleted, cancellationToken);
        if (application is null)
        {
            return Failure.NotFound("The application");
        }

        var access = await WorkspaceAccess.RequireAsync(db, userId, application.WorkspaceId, permission, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure.Code == FailureCode.NotFound ? Failure.NotFound("The application") : access.Failure;
        }

        return application;
    }
}
