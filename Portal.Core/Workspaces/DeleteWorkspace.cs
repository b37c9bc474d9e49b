using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Changes;
using Portal.Core.Provisioning;
using Portal.Core.Proxy;

namespace Portal.Core.Workspaces;

/// <summary>
/// Soft deletion by an owner, restorable for <see cref="WorkspaceOptions.DeletedRetention"/>, and the restore. Deleting
/// suspends the workspace's applications (their keys stop working) and its plan stops counting for its members;
/// restoring brings both back.
/// </summary>
public sealed class DeleteWorkspace(
    IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock, IOptions<WorkspaceOptions> options, IProvisioningQueue provisioning,
    ChangeChannel changes, ProxyInvalidationOutbox proxies)
{
    /// <param name="confirmSlug">What the owner typed to confirm; null when the caller confirmed otherwise (an API DELETE).</param>
    public async Task<Outcome<Workspace>> ExecuteAsync(Actor actor, string workspaceId, string? confirmSlug, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, actor.UserId, workspaceId, WorkspacePermission.Own, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var workspace = await db.Set<Workspace>().SingleAsync(w => w.Id == workspaceId, cancellationToken);
        if (workspace.Status == WorkspaceStatus.Deleted)
        {
            return Failure.NotFound("The workspace");
        }

        if (confirmSlug is not null && confirmSlug.Trim() != workspace.Slug)
        {
            return Failure.Invalid("confirmSlug", $"Type the workspace's slug, {workspace.Slug}, to confirm.");
        }

        var before = workspace.Status;
        workspace.Status = WorkspaceStatus.Deleted;
        workspace.DeletedAt = clock.GetUtcNow();
        var applications = await db.Set<Application>()
            .Where(a => a.WorkspaceId == workspaceId && a.Status != ApplicationStatus.Deleting && a.Status != ApplicationStatus.Deleted)
            .ToListAsync(cancellationToken);
        var invalidations = new List<ProxyInvalidation>(applications.Count);
        foreach (var application in applications)
        {
            application.Status = ApplicationStatus.Suspended;
            // Saved with the suspension: the proxies drop the application (its keys stop working) even if the publish fails.
            invalidations.Add(proxies.Application(db, application.Id));
        }

        audit.Add(db, actor, "workspace.deleted", workspace.Id, "workspace", workspace.Id, new AuditChanges()
            .Field("status", before, workspace.Status)
            .Field<string?>("suspendedApplications", null, applications.Count == 0 ? null : string.Join(" ", applications.Select(a => a.Id))));
        await db.SaveChangesAsync(cancellationToken);
        await proxies.PublishAsync(invalidations);
        // A deleted workspace's plan no longer counts for its members' control API limits.
        changes.Publish(ChangeTopic.Plan, workspace.Id);

        return workspace;
    }

    public async Task<Outcome<Workspace>> RestoreAsync(Actor actor, string workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, actor.UserId, workspaceId, WorkspacePermission.Own, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var workspace = await db.Set<Workspace>().SingleAsync(w => w.Id == workspaceId, cancellationToken);
        if (workspace.Status != WorkspaceStatus.Deleted)
        {
            return Failure.Conflict("The workspace is not deleted.");
        }

        if (workspace.DeletedAt + options.Value.DeletedRetention <= clock.GetUtcNow())
        {
            return Failure.NotFound("The workspace");
        }

        workspace.Status = workspace.SuspendedAt is null ? WorkspaceStatus.Active : WorkspaceStatus.Suspended;
        workspace.DeletedAt = null;
        var applications = await db.Set<Application>()
            .Where(a => a.WorkspaceId == workspaceId && a.Status == ApplicationStatus.Suspended)
            .ToListAsync(cancellationToken);
        var toProvision = new List<string>();
        foreach (var application in applications)
        {
            if (await ApplicationLifecycleRules.ReactivateAsync(db, application, cancellationToken))
            {
                toProvision.Add(application.Id);
            }
        }

        audit.Add(db, actor, "workspace.restored", workspace.Id, "workspace", workspace.Id, new AuditChanges()
            .Field("status", WorkspaceStatus.Deleted, workspace.Status)
            .Field<string?>("resumedApplications", null, applications.Count == 0 ? null : string.Join(" ", applications.Select(a => a.Id))));
        await db.SaveChangesAsync(cancellationToken);
        foreach (var application in applications)
        {
            changes.Publish(ChangeTopic.Application, application.Id);
        }

        changes.Publish(ChangeTopic.Plan, workspace.Id);

        foreach (var id in toProvision)
        {
            provisioning.Enqueue(id);
        }

        return workspace;
    }
}
