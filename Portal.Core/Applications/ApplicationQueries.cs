using Microsoft.EntityFrameworkCore;
using Portal.Core.Workspaces;

namespace Portal.Core.Applications;

public sealed class ApplicationQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>A workspace's applications (not those deleted for good), optionally of one environment or status.</summary>
    public async Task<Outcome<Page<ApplicationView>>> ListAsync(
        string? userId, string workspaceId, ApplicationEnvironment? environment = null, ApplicationStatus? status = null,
        int page = 1, int pageSize = Page<ApplicationView>.MaxPageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, userId, workspaceId, WorkspacePermission.View, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var query = db.Set<Application>().AsNoTracking().Where(a => a.WorkspaceId == workspaceId && a.Status != ApplicationStatus.Deleted);
        if (environment is { } e)
        {
            query = query.Where(a => a.Environment == e);
        }

        if (status is { } s)
        {
            query = query.Where(a => a.Status == s);
        }

        var total = await query.CountAsync(cancellationToken);
        var data = await query.OrderBy(a => a.Name).ThenBy(a => a.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(a => new { View = new ApplicationView(a.Id, a.WorkspaceId, a.Name, a.Slug, a.Environment, a.Region, a.Status, a.Configuration, a.CreatedAt, a.DeletedAt), a.IpAllowlist })
            .ToListAsync(cancellationToken);
        return new Page<ApplicationView>(data.Select(d => d.View with { IpAllowlist = IpAllowlistRules.Format(d.IpAllowlist) }).ToList(), total, page, pageSize);
    }

    public async Task<Outcome<ApplicationView>> GetAsync(string? userId, string applicationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, userId, applicationId, WorkspacePermission.View, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var a = found.Value;
        return new ApplicationView(a.Id, a.WorkspaceId, a.Name, a.Slug, a.Environment, a.Region, a.Status, a.Configuration, a.CreatedAt, a.DeletedAt)
        {
            IpAllowlist = IpAllowlistRules.Format(a.IpAllowlist),
        };
    }
}
