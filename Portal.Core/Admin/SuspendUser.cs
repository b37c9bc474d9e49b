using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Audit;

namespace Portal.Core.Admin;

/// <summary>
/// A platform administrator stops an account: it cannot sign in, and its open sessions end (a new security stamp),
/// or lets it sign in again. An administrator cannot suspend their own account.
/// </summary>
public sealed class SuspendUser(
    IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock, IOptionsMonitor<PlatformAdminOptions> admins)
{
    public Task<Outcome<PortalUser>> SuspendAsync(Actor actor, string userId, string? reason, CancellationToken cancellationToken = default) =>
        PlatformAdminAccess.ValidateReason(reason) is { } invalid
            ? Task.FromResult<Outcome<PortalUser>>(invalid)
            : ChangeAsync(actor, userId, suspend: true, reason!.Trim(), cancellationToken);

    public Task<Outcome<PortalUser>> UnsuspendAsync(Actor actor, string userId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, userId, suspend: false, null, cancellationToken);

    private async Task<Outcome<PortalUser>> ChangeAsync(Actor actor, string userId, bool suspend, string? reason, CancellationToken cancellationToken)
    {
        if (suspend && actor.UserId == userId)
        {
            return Failure.Forbidden("You cannot suspend your own account.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await PlatformAdminAccess.CheckAsync(db, actor, admins.CurrentValue, cancellationToken) is { } refused)
        {
            return refused;
        }

        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == userId, cancellationToken);
        if (user is null)
        {
            return Failure.NotFound("The user");
        }

        if ((user.SuspendedAt is not null) == suspend)
        {
            return Failure.Conflict(suspend ? "The account is already suspended." : "The account is not suspended.");
        }

        var changes = new AuditChanges()
            .Field("suspended", user.SuspendedAt is not null, suspend)
            .Field("suspensionReason", user.SuspensionReason, reason);
        user.SuspendedAt = suspend ? clock.GetUtcNow() : null;
        user.SuspensionReason = reason;
        if (suspend)
        {
            // What UserManager.UpdateSecurityStampAsync does, saved in the same transaction as the suspension and its
            // event: every cookie and open circuit carrying the old stamp is refused at its next validation.
            user.SecurityStamp = Guid.NewGuid().ToString("N");
        }

        user.ConcurrencyStamp = Guid.NewGuid().ToString();
        audit.Add(db, actor, suspend ? AuditActions.AdminUserSuspended : AuditActions.AdminUserUnsuspended,
            null, AuditTargets.User, user.Id, changes);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Failure.Conflict("Someone else changed this account at the same time; reload and try again.");
        }

        return user;
    }
}
