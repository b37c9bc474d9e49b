using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Workspaces;

namespace Portal.Core.Members;

public sealed class RemoveMember(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, MemberEmails emails, InviteMember invitations)
{
    /// <summary>
    /// Removes a member, or revokes a pending invitation when <paramref name="memberId"/> is an invitation's id.
    /// A member removing themself is leaving, which any role may do; the last owner can do neither.
    /// </summary>
    public async Task<Outcome<string>> ExecuteAsync(Actor actor, string workspaceId, string memberId, CancellationToken cancellationToken = default)
    {
        if (memberId.StartsWith("inv_", StringComparison.Ordinal))
        {
            var revoked = await invitations.RevokeAsync(actor, workspaceId, memberId, cancellationToken);
            return revoked.Succeeded ? revoked.Value.Id : revoked.Failure;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await MemberChanges.LockWorkspaceAsync(db, workspaceId, cancellationToken);
        var membership = actor.UserId is null ? null : await WorkspaceAccess.FindAsync(db, actor.UserId, workspaceId, cancellationToken);
        var leaving = membership?.MemberId == memberId;
        if (WorkspaceAccess.Check(membership, leaving ? WorkspacePermission.View : WorkspacePermission.ManageMembers) is { } refused)
        {
            return refused;
        }

        var member = await db.Set<Member>().Include(m => m.User).Include(m => m.Workspace)
            .SingleOrDefaultAsync(m => m.Id == memberId && m.WorkspaceId == workspaceId, cancellationToken);
        if (member is null)
        {
            return Failure.NotFound("The member");
        }

        if (member.Role == WorkspaceRole.Owner)
        {
            if (!leaving && membership!.Role != WorkspaceRole.Owner)
            {
                return Failure.Forbidden("Only an owner can remove an owner.");
            }

            if (await MemberChanges.CountOwnersAsync(db, workspaceId, cancellationToken) == 1)
            {
                return Failure.Conflict(leaving
                    ? "You are the last owner: transfer ownership or make another owner before you leave."
                    : "The last owner cannot be removed.");
            }
        }

        db.Remove(member);
        audit.Add(db, actor, leaving ? "member.left" : "member.removed", workspaceId, "member", member.Id, new AuditChanges()
            .Field<string?>("user", member.UserId, null)
            .Field<WorkspaceRole?>("role", member.Role, null));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        if (!leaving)
        {
            await emails.SendRemovedAsync(member.User!.Email!, member.Workspace!.Name, cancellationToken);
        }

        return member.Id;
    }
}
