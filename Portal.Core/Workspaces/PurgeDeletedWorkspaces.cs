using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Provisioning;

namespace Portal.Core.Workspaces;

/// <summary>
/// Removes for good the workspaces deleted longer ago than the grace period; their audit events stay. Their
/// applications' instances are torn down first; a workspace whose teardown cannot finish now waits for the next run.
/// </summary>
public sealed partial class PurgeDeletedWorkspaces(
    IDbContextFactory<PortalDbContext> dbFactory,
    AuditLog audit,
    TimeProvider clock,
    IOptions<WorkspaceOptions> options,
    TeardownApplication teardown,
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
        var purged = 0;
        foreach (var workspace in expired)
        {
            if (!await TearDownApplicationsAsync(db, workspace.Id, cancellationToken))
            {
                continue;
            }

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
            purged += deleted;
        }

        LogPurged(logger, purged, cutoff);
        return purged;
    }

    /// <summary>True once none of the workspace's applications has an instance left.</summary>
    private async Task<bool> TearDownApplicationsAsync(PortalDbContext db, string workspaceId, CancellationToken cancellationToken)
    {
        var applications = await db.Set<Application>().AsNoTracking()
            .Where(a => a.WorkspaceId == workspaceId && a.Status != ApplicationStatus.Deleted)
            .Select(a => a.Id).ToListAsync(cancellationToken);
        var done = true;
        foreach (var id in applications)
        {
            try
            {
                done &= await teardown.ExecuteAsync(id, onlyIfExpired: false, cancellationToken) != TeardownOutcome.Busy;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                LogTeardownFailed(logger, workspaceId, id, ProvisionApplication.Describe(e));
                done = false;
            }
        }

        return done;
    }

    [LoggerMessage(LogLevel.Warning, "Workspace {WorkspaceId} waits for the teardown of application {ApplicationId}: {Error}")]
    private static partial void LogTeardownFailed(ILogger logger, string workspaceId, string applicationId, string error);

    [LoggerMessage(LogLevel.Information, "Purged {Count} workspaces deleted before {Cutoff}")]
    private static partial void LogPurged(ILogger logger, int count, DateTimeOffset cutoff);
}
