using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Workspaces;

namespace Portal.Core.Members;

/// <summary>An owner hands ownership to another member and becomes an admin, in one step.</summary>
public sealed class TransferOwnership(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, MemberEmails emails)
{
    public async Task<Outcome<Member>> ExecuteAsync(Actor actor, string workspaceId, string toMemberId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        await using var transaction = await MemberChanges.LockWorkspaceAsync(db, workspaceId, cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, actor.UserId, workspaceId, WorkspacePermission.Own, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var members = await db.Set<Member>().Include(m => m.User).Include(m => m.Workspace)
            .Where(m => m.WorkspaceId == workspaceId && (m.Id == toMemberId || m.Id == access.Value.MemberId))
            .ToListAsync(cancellationToken);
        var from = members.Single(m => m.Id == access.Value.MemberId);
        var to = members.SingleOrDefault(m => m.Id == toMemberId);
        if (to is null)
        {
            return Failure.NotFound("The member");
        }

        if (to == from)
        {
            return Failure.Invalid("memberId", "Choose another member to transfer ownership to.");
        }

        var previousRole = to.Role;
        to.Role = WorkspaceRole.Owner;
        from.Role = WorkspaceRole.Admin;
        audit.Add(db, actor, "workspace.ownership_transferred", workspaceId, "member", to.Id, new AuditChanges()
            .Field("owner", from.Id, to.Id)
            .Field("newOwnerPreviousRole", previousRole, WorkspaceRole.Owner)
            .Field("previousOwnerRole", WorkspaceRole.Owner, WorkspaceRole.Admin));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await emails.SendRoleChangedAsync(to.User!.Email!, to.Workspace!.Name, previousRole, WorkspaceRole.Owner, cancellationToken);
        return to;
    }
}
