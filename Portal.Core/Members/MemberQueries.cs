using Microsoft.EntityFrameworkCore;
using Portal.Core.Workspaces;

namespace Portal.Core.Members;

public sealed class MemberQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>Members, then pending invitations, of a workspace the caller may view.</summary>
    public async Task<Outcome<Page<MemberView>>> ListAsync(
        string? userId, string workspaceId, int page = 1, int pageSize = Page<MemberView>.MaxPageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, userId, workspaceId, WorkspacePermission.View, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var now = clock.GetUtcNow();
        var members = db.Set<Member>().Where(m => m.WorkspaceId == workspaceId);
        var invitations = db.Set<Invitation>().Where(i => i.WorkspaceId == workspaceId && i.Status == InvitationStatus.Pending);
        var memberCount = await members.CountAsync(cancellationToken);
        var total = memberCount + await invitations.CountAsync(cancellationToken);

        var skip = (page - 1) * pageSize;
        var rows = new List<MemberView>(pageSize);
        if (skip < memberCount)
        {
            rows.AddRange(await members
                .OrderBy(m => m.Role).ThenBy(m => m.User!.Email).ThenBy(m => m.Id)
                .Skip(skip).Take(pageSize)
                .Select(m => new MemberView(m.Id, m.UserId, m.User!.Email!, m.User.DisplayName, m.Role, MemberStatus.Active,
                    m.JoinedAt, m.InvitedAt, null, m.User.TwoFactorEnabled))
                .ToListAsync(cancellationToken));
        }

        if (rows.Count < pageSize)
        {
            rows.AddRange(await invitations
                .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id)
                .Skip(Math.Max(0, skip - memberCount)).Take(pageSize - rows.Count)
                .Select(i => new MemberView(i.Id, null, i.Email, null, i.Role, i.ExpiresAt > now ? MemberStatus.Invited : MemberStatus.Expired,
                    null, i.CreatedAt, i.ExpiresAt, false))
                .ToListAsync(cancellationToken));
        }

        return new Page<MemberView>(rows, total, page, pageSize);
    }
}
