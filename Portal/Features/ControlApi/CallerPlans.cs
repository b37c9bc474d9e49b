using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using Portal.Core;
using Portal.Core.Changes;
using Portal.Core.Members;
using Portal.Core.Workspaces;

namespace Portal.Features.ControlApi;

/// <summary>
/// The plan that sets a caller's rate limit: the highest plan among the workspaces they belong to (free with none),
/// remembered briefly so that a request costs no extra query. A <see cref="ChangeTopic.Plan"/> change, from any
/// process, drops every remembered plan of this process: plans change rarely, and finding the members of the
/// workspace named would cost more than asking again; the cache's lifetime covers a notification lost to a Redis outage.
/// </summary>
public sealed class CallerPlans : IDisposable
{
    private readonly IDbContextFactory<PortalDbContext> _dbFactory;
    private readonly IMemoryCache _cache;
    private readonly IOptions<ControlApiOptions> _options;
    private readonly IDisposable _subscription;
    private CancellationTokenSource _planChanged = new();

    public CallerPlans(IDbContextFactory<PortalDbContext> dbFactory, IMemoryCache cache, IOptions<ControlApiOptions> options, ChangeChannel changes)
    {
        _dbFactory = dbFactory;
        _cache = cache;
        _options = options;
        _subscription = changes.Subscribe(ChangeTopic.Plan, _ => Evict());
    }

    public async Task<WorkspacePlan> GetAsync(string userId, CancellationToken cancellationToken = default)
    {
        var key = $"control-api:plan:{userId}";
        if (_cache.TryGetValue(key, out WorkspacePlan plan))
        {
            return plan;
        }

        // Taken before the query: a plan change while it runs makes the answer stale, and the entry expire at once.
        var planChanged = Volatile.Read(ref _planChanged).Token;
        await using var db = await _dbFactory.CreateDbContextAsync(cancellationToken);
        var plans = await db.Set<Member>()
            .Where(m => m.UserId == userId && m.Workspace!.Status != WorkspaceStatus.Deleted)
            .Select(m => m.Workspace!.Plan)
            .Distinct()
            .ToListAsync(cancellationToken);
        plan = plans.Count == 0 ? WorkspacePlan.Free : plans.Max();
        if (_options.Value.PlanCacheDuration > TimeSpan.Zero)
        {
            _cache.Set(key, plan, new MemoryCacheEntryOptions { AbsoluteExpirationRelativeToNow = _options.Value.PlanCacheDuration }
                .AddExpirationToken(new CancellationChangeToken(planChanged)));
        }

        return plan;
    }

    private void Evict()
    {
        // Not disposed: a request may still be adding an entry with its token (a cancelled token expires it at once).
        Interlocked.Exchange(ref _planChanged, new CancellationTokenSource()).Cancel();
    }

    public void Dispose() => _subscription.Dispose();
}
