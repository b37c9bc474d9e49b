using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Members;

namespace Portal.Core.Workspaces;

/// <summary>Reads of workspaces, always through the caller's memberships.</summary>
public sealed class WorkspaceQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, IOptions<WorkspaceOptions> options)
{
    public async Task<Page<WorkspaceSummary>> ListAsync(string userId, int page = 1, int pageSize = Page<WorkspaceSummary>.MaxPageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var mine = Memberships(db, userId).Where(m => m.Workspace!.Status != WorkspaceStatus.Deleted);
        var total = await mine.CountAsync(cancellationToken);
        var data = await Summaries(db, mine.OrderBy(m => m.Workspace!.Name).ThenBy(m => m.WorkspaceId)
                .Skip((page - 1) * pageSize).Take(pageSize))
            .ToListAsync(cancellationToken);
        return new Page<WorkspaceSummary>(data, total, page, pageSize);
    }

    public async Task<WorkspaceSummary?> GetAsync(string userId, string workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await Summaries(db, Memberships(db, userId)
                .Where(m => m.WorkspaceId == workspaceId && m.Workspace!.Status != WorkspaceStatus.Deleted))
            .FirstOrDefaultAsync(cancellationToken);
    }

    /// <summary>The deleted workspaces the user owns that can still be restored.</summary>
    public async Task<IReadOnlyList<WorkspaceSummary>> RecentlyDeletedAsync(string userId, CancellationToken cancellationToken = default)
    {
        var cutoff = clock.GetUtcNow() - options.Value.DeletedRetention;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await Summaries(db, Memberships(db, userId)
                .Where(m => m.Workspace!.Status == WorkspaceStatus.Deleted && m.Role == WorkspaceRole.Owner && m.Workspace.DeletedAt > cutoff)
                .OrderByDescending(m => m.Workspace!.DeletedAt))
            .ToListAsync(cancellationToken);
    }

    /// <summary>When a deleted workspace will be purged.</summary>
    public DateTimeOffset PurgeDate(WorkspaceSummary workspace) =>
        (workspace.DeletedAt ?? clock.GetUtcNow()) + options.Value.DeletedRetention;

    private static IQueryable<Member> Memberships(PortalDbContext db, string userId) =>
        db.Set<Member>().Where(m => m.UserId == userId);

    // Filters and orders go on the memberships, before this projection: EF Core cannot translate them on the record it makes.
    private static IQueryable<WorkspaceSummary> Summaries(PortalDbContext db, IQueryable<Member> memberships) =>
        memberships
            .Select(m => new WorkspaceSummary(
                m.WorkspaceId,
                m.Workspace!.Name,
                m.Workspace.Slug,
                m.Workspace.Plan,
                m.Workspace.Status,
                m.Role,
                db.Set<Member>().Count(other => other.WorkspaceId == m.WorkspaceId),
                m.Workspace.Metadata,
                m.Workspace.RequireTwoFactor,
                m.Workspace.CreatedAt,
                m.Workspace.DeletedAt));
}
