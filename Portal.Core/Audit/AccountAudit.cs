using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Audit;

/// <summary>
/// Records what happens to the security of an account (sign-ins, password and two-factor changes) as one audit event
/// about that account, outside any workspace. Identity saves the change itself, so the event is saved on its own.
/// </summary>
public sealed class AccountAudit(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit)
{
    /// <param name="userId">The account the event is about; null for a failed sign-in with an unknown email.</param>
    public async Task RecordAsync(Actor actor, string action, string? userId, AuditChanges? changes = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        audit.Add(db, actor, action, null, AuditTargets.User, userId, changes);
        await db.SaveChangesAsync(cancellationToken);
    }
}
