using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Portal.Core.Workspaces;

/// <summary>
/// The row locks that turn a check-then-write rule (at least one owner, the plan's application limit, the workspaces
/// one account may own) into one decision at a time: the caller starts a transaction holding the lock, counts, writes
/// and commits, so two requests at once cannot both pass the check. PostgreSQL's <c>FOR UPDATE</c> waits for the other
/// transaction; the count after it sees what that one committed.
/// </summary>
public static class RowLocks
{
    /// <summary>Starts a transaction holding the workspace's row lock (owners, members, applications of that workspace).</summary>
    public static async Task<IDbContextTransaction> LockWorkspaceAsync(PortalDbContext db, string workspaceId, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"Workspaces\" WHERE \"Id\" = {workspaceId} FOR UPDATE", cancellationToken);
        return transaction;
    }

    /// <summary>Starts a transaction holding the account's row lock (what one account may own across workspaces).</summary>
    public static async Task<IDbContextTransaction> LockUserAsync(PortalDbContext db, string userId, CancellationToken cancellationToken)
    {
        var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Database.ExecuteSqlAsync($"SELECT 1 FROM \"AspNetUsers\" WHERE \"Id\" = {userId} FOR UPDATE", cancellationToken);
        return transaction;
    }
}
