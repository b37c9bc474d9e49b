using Microsoft.EntityFrameworkCore;
using Portal.Core.Workspaces;

namespace Portal.Core.Applications;

/// <summary>
/// The free plan's application limit, shared by creating and restoring. Call it inside
/// <see cref="RowLocks.LockWorkspaceAsync"/>'s transaction and commit after saving: otherwise parallel requests each
/// count the same applications and all pass.
/// </summary>
internal static class ApplicationPlanLimit
{
    /// <summary>True when the workspace is on the free plan and already has as many live applications as it may.</summary>
    public static async Task<bool> ReachedAsync(PortalDbContext db, string workspaceId, ApplicationOptions options, CancellationToken cancellationToken)
    {
        var plan = await db.Set<Workspace>().Where(w => w.Id == workspaceId).Select(w => w.Plan).SingleAsync(cancellationToken);
        return plan == WorkspacePlan.Free && await db.Set<Application>().CountAsync(
            a => a.WorkspaceId == workspaceId && a.Status != ApplicationStatus.Deleted && a.Status != ApplicationStatus.Deleting,
            cancellationToken) >= options.FreePlanMaxApplications;
    }
}
