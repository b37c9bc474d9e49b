using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Workspaces;

namespace Portal.Core.Audit;

/// <summary>
/// Deletes audit events older than their workspace plan's retention, in batches so that a large backlog never holds
/// long locks on the table the activity pages read.
/// </summary>
public sealed partial class PurgeExpiredAuditEvents(
    IDbContextFactory<PortalDbContext> dbFactory,
    TimeProvider clock,
    IOptions<AuditRetentionOptions> options,
    ILogger<PurgeExpiredAuditEvents> logger)
{
    private const int BatchSize = 10_000;

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var retention = options.Value;
        var free = now - retention.Free;
        var pro = now - retention.Pro;
        var enterprise = now - retention.Enterprise;
        var other = now - retention.Other;

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var workspaces = db.Set<Workspace>();
        var expired = db.Set<AuditEvent>().Where(e =>
            e.WorkspaceId == null
                ? e.OccurredAt < other
                : workspaces.Any(w => w.Id == e.WorkspaceId)
                    ? workspaces.Any(w => w.Id == e.WorkspaceId
                        && ((w.Plan == WorkspacePlan.Free && e.OccurredAt < free)
                            || (w.Plan == WorkspacePlan.Pro && e.OccurredAt < pro)
                            || (w.Plan == WorkspacePlan.Enterprise && e.OccurredAt < enterprise)))
                    : e.OccurredAt < other);

        var total = 0;
        int deleted;
        do
        {
            var batch = expired.OrderBy(e => e.Id).Take(BatchSize).Select(e => e.Id);
            deleted = await db.Set<AuditEvent>().Where(e => batch.Contains(e.Id)).ExecuteDeleteAsync(cancellationToken);
            total += deleted;
        }
        while (deleted == BatchSize);

        LogPurged(logger, total);
        return total;
    }

    [LoggerMessage(LogLevel.Information, "Deleted {Count} audit events past their retention")]
    private static partial void LogPurged(ILogger logger, int count);
}
