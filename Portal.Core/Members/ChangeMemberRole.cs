using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Workspaces;

namespace Portal.Core.Members;

public sealed class ChangeMemberRole(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, MemberEmails emails)
{
    /// <summary>
    /// Changes a member's role (or a pending invitation's, when <paramref name="memberId"/> is an invitation's id).
    /// Only owners make or unmake owners, and the last owner keeps the role: ownership moves by <see cref="TransferOwnership"/>.
    /// </summary>
    public async Task<Outcome<WorkspaceRole>> ExecuteAsync(Actor actor, string workspaceId, string memberId, WorkspaceRole? role, CancellationToken cancellationToken = default)
    {
        if (role is not { } newRole || !Enum.IsDefined(newRole))
        {
            return Failure.Invalid("role", "Choose a role: owner, admin, developer, billing or viewer.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await MemberChanges.LockWorkspaceAsync(db, workspaceId, cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, actor.UserId, workspaceId, WorkspacePermission.ManageMembers, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var actorIsOwner = access.Value.Role == WorkspaceRole.Owner;
        if (memberId.StartsWith("inv_", StringComparison.Ordinal))
        {
            return await ChangeInvitationAsync(db, actor, workspaceId, memberId, newRole, actorIsOwner, cancellationToken);
        }

        var member = await db.Set<Member>().Include(m => m.User).Include(m => m.Workspace)
            .SingleOrDefaultAsync(m => m.Id == memberId && m.WorkspaceId == workspaceId, cancellationToken);
        if (member is null)
        {
            return Failure.NotFound("The member");
        }

        var before = member.Role;
        if (before == newRole)
        {
            return newRole;
        }

        if ((before == WorkspaceRole.Owner || newRole == WorkspaceRole.Owner) && !actorIsOwner)
        {
            return Failure.Forbidden("Only an owner can make or unmake an owner.");
        }

        if (before == WorkspaceRole.Owner && await MemberChanges.CountOwnersAsync(db, workspaceId, cancellationToken) == 1)
        {
            return Failure.Conflict("The last owner cannot be demoted: transfer ownership or make another owner first.", "role");
        }

        member.Role = newRole;
        audit.Add(db, actor, "member.role_changed", workspaceId, "member", member.Id, new AuditChanges().Field("role", before, newRole));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await emails.SendRoleChangedAsync(member.User!.Email!, member.Workspace!.Name, before, newRole, cancellationToken);
        return newRole;
    }

    private async Task<Outcome<WorkspaceRole>> ChangeInvitationAsync(
        PortalDbContext db, Actor actor, string workspaceId, string invitationId, WorkspaceRole newRole, bool actorIsOwner, CancellationToken cancellationToken)
    {
        var invitation = await db.Set<Invitation>().SingleOrDefaultAsync(
            i => i.Id == invitationId && i.WorkspaceId == workspaceId && i.Status == InvitationStatus.Pending, cancellationToken);
        if (invitation is null)
        {
            return Failure.NotFound("The invitation");
        }

        if ((invitation.Role == WorkspaceRole.Owner || newRole == WorkspaceRole.Owner) && !actorIsOwner)
        {
            return Failure.Forbidden("Only an owner can invite an owner.");
        }

        if (invitation.Role != newRole)
        {
            audit.Add(db, actor, "invitation.role_changed", workspaceId, "invitation", invitation.Id,
                new AuditChanges().Field("role", invitation.Role, newRole));
            invitation.Role = newRole;
            await db.SaveChangesAsync(cancellationToken);
            await db.Database.CommitTransactionAsync(cancellationToken);
        }

        return newRole;
    }
}
