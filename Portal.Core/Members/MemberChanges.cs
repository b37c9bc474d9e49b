using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Portal.Core.Workspaces;

namespace Portal.Core.Members;

/// <summary>What changing, removing and promoting members share: the locked read that keeps at least one owner.</summary>
internal static class MemberChanges
{
    /// <summary>
    /// Starts a transaction holding the workspace's row lock, so that two owners demoting each other at the same time
    /// cannot both pass the "another owner remains" check.
    /// </summary>
    public static Task<IDbContextTransaction> LockWorkspaceAsync(PortalDbContext db, string workspaceId, CancellationToken cancellationToken) =>
        RowLocks.LockWorkspaceAsync(db, workspaceId, cancellationToken);

    public static Task<int> CountOwnersAsync(PortalDbContext db, string workspaceId, CancellationToken cancellationToken) =>
        db.Set<Member>().CountAsync(m => m.WorkspaceId == workspaceId && m.Role == WorkspaceRole.Owner, cancellationToken);
}
