using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Portal.Core;
using Portal.Core.Members;
using Portal.Core.Workspaces;

namespace Portal.Features.ControlApi;

/// <summary>
/// The plan that sets a caller's rate limit: the highest plan among the workspaces they belong to (free with none),
/// remembered briefly so that a request costs no extra query.
/// </summary>
public sealed class CallerPlans(IDbContextFactory<PortalDbContext> dbFactory, IMemoryCache cache, IOptions<ControlApiOptions> options)
{
    public async Task<WorkspacePlan> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        var key = $"control-api:plan:{userId}";
        if (cache.TryGetValue(key, out WorkspacePlan plan))
        {
            return plan;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var plans = await db.Set<Member>()
            .Where(m => m.UserId == userId && m.Workspace!.Status != WorkspaceStatus.Deleted)
            .Select(m => m.Workspace!.Plan)
            .Distinct()
            .ToListAsync(cancellationToken);
        plan = plans.Count == 0 ? WorkspacePlan.Free : plans.Max();
        if (options.Value.PlanCacheDuration > TimeSpan.Zero)
        {
            cache.Set(key, plan, options.Value.PlanCacheDuration);
        }

        return plan;
    }
}
