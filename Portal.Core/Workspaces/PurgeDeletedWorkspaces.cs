using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;

namespace Portal.Core.Workspaces;

/// <summary>Removes for good the workspaces deleted longer ago than the grace period; their audit events stay.</summary>
public sealed partial class PurgeDeletedWorkspaces(
    IDbContextFactory<PortalDbContext> dbFactory,
    AuditLog audit,
    TimeProvider clock,
    IOptions<WorkspaceOptions> options,
    ILogger<PurgeDeletedWorkspaces> logger)
{
    public async Task<int> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = clock.GetUtcNow() - options.Value.DeletedRetention;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var expired = await db.Set<Workspace>()
            .Where(w => w.Status == WorkspaceStatus.Deleted && w.DeletedAt < cutoff)
            .Select(w => new { w.Id, w.Slug })
            .ToListAsync(cancellationToken);
        foreach (var workspace in expired)
        {
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            // Members and invitations go with the workspace (cascading foreign keys).
            var deleted = await db.Set<Workspace>()
                .Where(w => w.Id == workspace.Id && w.Status == WorkspaceStatus.Deleted && w.DeletedAt < cutoff)
                .ExecuteDeleteAsync(cancellationToken);
            if (deleted == 1)
            {
                audit.Add(db, Actor.System, "workspace.purged", workspace.Id, "workspace", workspace.Id,
                    new AuditChanges().Field<string?>("slug", workspace.Slug, null));
                await db.SaveChangesAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
        }

        LogPurged(logger, expired.Count, cutoff);
        return expired.Count;
    }

    [LoggerMessage(LogLevel.Information, "Purged {Count} workspaces deleted before {Cutoff}")]
    private static partial void LogPurged(ILogger logger, int count, DateTimeOffset cutoff);
}
