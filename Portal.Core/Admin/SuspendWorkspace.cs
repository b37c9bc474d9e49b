using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Proxy;
using Portal.Core.Workspaces;

namespace Portal.Core.Admin;

/// <summary>
/// A platform administrator stops a workspace (its members can still look, nobody can change anything) or lets it
/// run again. The event goes to the workspace's own log, so its members see who did it and why.
/// </summary>
public sealed class SuspendWorkspace(
    IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock, IOptionsMonitor<PlatformAdminOptions> admins,
    ProxyInvalidationOutbox proxies)
{
    public Task<Outcome<Workspace>> SuspendAsync(Actor actor, string workspaceId, string? reason, CancellationToken cancellationToken = default) =>
        PlatformAdminAccess.ValidateReason(reason) is { } invalid
            ? Task.FromResult<Outcome<Workspace>>(invalid)
            : ChangeAsync(actor, workspaceId, WorkspaceStatus.Suspended, reason!.Trim(), cancellationToken);

    public Task<Outcome<Workspace>> UnsuspendAsync(Actor actor, string workspaceId, CancellationToken cancellationToken = default) =>
        ChangeAsync(actor, workspaceId, WorkspaceStatus.Active, null, cancellationToken);

    private async Task<Outcome<Workspace>> ChangeAsync(
        Actor actor, string workspaceId, WorkspaceStatus status, string? reason, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        if (await PlatformAdminAccess.CheckAsync(db, actor, admins.CurrentValue, cancellationToken) is { } refused)
        {
            return refused;
        }

        var workspace = await db.Set<Workspace>().SingleOrDefaultAsync(w => w.Id == workspaceId, cancellationToken);
        if (workspace is null)
        {
            return Failure.NotFound("The workspace");
        }

        var suspending = status == WorkspaceStatus.Suspended;
        var expected = suspending ? WorkspaceStatus.Active : WorkspaceStatus.Suspended;
        if (workspace.Status != expected)
        {
            return Failure.Conflict(workspace.Status switch
            {
                WorkspaceStatus.Deleted => "The workspace is deleted.",
                WorkspaceStatus.Suspended => "The workspace is already suspended.",
                _ => "The workspace is not suspended.",
            });
        }

        var changes = new AuditChanges()
            .Field("status", workspace.Status, status)
            .Field("suspensionReason", workspace.SuspensionReason, reason);
        workspace.Status = status;
        workspace.SuspensionReason = reason;
        workspace.SuspendedAt = suspending ? clock.GetUtcNow() : null;
        audit.Add(db, actor, suspending ? AuditActions.AdminWorkspaceSuspended : AuditActions.AdminWorkspaceUnsuspended,
            workspace.Id, AuditTargets.Workspace, workspace.Id, changes);
        // Saved with the change: the proxies refuse (or serve again) the workspace's applications even if the publish fails.
        var invalidations = new List<ProxyInvalidation>();
        foreach (var applicationId in await db.Set<Application>().Where(a => a.WorkspaceId == workspace.Id).Select(a => a.Id).ToListAsync(cancellationToken))
        {
            invalidations.Add(proxies.Application(db, applicationId));
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Failure.Conflict("Someone else changed this workspace at the same time; reload and try again.");
        }

        await proxies.PublishAsync(invalidations);

        return workspace;
    }
}
