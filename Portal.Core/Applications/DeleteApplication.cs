using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Changes;
using Portal.Core.Provisioning;
using Portal.Core.Proxy;
using Portal.Core.Workspaces;

namespace Portal.Core.Applications;

/// <summary>
/// Deleting an application: its keys stop working at once (status <c>deleting</c>), it stays restorable for
/// <see cref="ApplicationOptions.DeletedRetention"/>, then the teardown job removes its instance. And the restore.
/// </summary>
public sealed class DeleteApplication(
    IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock, IOptions<ApplicationOptions> options, IProvisioningQueue provisioning,
    ChangeChannel changes, ProxyInvalidationOutbox proxies)
{
    /// <param name="confirmName">What the user typed to confirm; null when the caller confirmed otherwise (an API DELETE).</param>
    public async Task<Outcome<Application>> ExecuteAsync(Actor actor, string applicationId, string? confirmName = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, actor.UserId, applicationId, WorkspacePermission.ManageApplications, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var application = found.Value;
        if (application.Status == ApplicationStatus.Deleting)
        {
            return Failure.Conflict($"The application is already deleted; it can be restored until {options.Value.RestorableUntil(application):u}.");
        }

        if (confirmName is not null && confirmName.Trim() != application.Name)
        {
            return Failure.Invalid("confirmName", $"Type the application's name, {application.Name}, to confirm.");
        }

        var before = application.Status;
        application.Status = ApplicationStatus.Deleting;
        application.DeletedAt = clock.GetUtcNow();
        audit.Add(db, actor, "application.deleted", application.WorkspaceId, "application", application.Id, new AuditChanges()
            .Field("status", before, application.Status)
            .Field("restorableUntil", null, options.Value.RestorableUntil(application)));
        // Saved with the deletion: the proxies drop the application (its keys stop working) even if the publish fails.
        var invalidation = proxies.Application(db, application.Id);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Failure.Conflict("The application changed at the same time; reload and try again.");
        }

        await proxies.PublishAsync(invalidation);
        return application;
    }

    /// <summary>
    /// Within the grace period: back to <c>active</c> if its last provisioning run succeeded, otherwise provisioned
    /// again (resuming where it stopped). The free plan's limit applies as for a new application.
    /// </summary>
    public async Task<Outcome<Application>> RestoreAsync(Actor actor, string applicationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, actor.UserId, applicationId, WorkspacePermission.ManageApplications, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var application = found.Value;
        if (application.Status != ApplicationStatus.Deleting)
        {
            return Failure.Conflict($"Only a deleted application is restored; this one is {ApplicationLifecycleRules.Describe(application.Status)}.");
        }

        if (options.Value.RestorableUntil(application) is { } until && until <= clock.GetUtcNow())
        {
            return Failure.Conflict($"The application can no longer be restored: its restore window ended {until:u}, and it is being torn down.");
        }

        // Restores and creates of one workspace take turns: the count below and the status change are one decision.
        await using var transaction = await RowLocks.LockWorkspaceAsync(db, application.WorkspaceId, cancellationToken);
        if (await ApplicationPlanLimit.ReachedAsync(db, application.WorkspaceId, options.Value, cancellationToken))
        {
            return Failure.PlanLimit(
                $"The free plan allows {options.Value.FreePlanMaxApplications} applications. Delete another one or upgrade to pro to restore this one.");
        }

        var provision = await ApplicationLifecycleRules.ReactivateAsync(db, application, cancellationToken);
        application.DeletedAt = null;
        audit.Add(db, actor, "application.restored", application.WorkspaceId, "application", application.Id,
            new AuditChanges().Field("status", ApplicationStatus.Deleting, application.Status));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Failure.Conflict("The application changed at the same time; reload and try again.");
        }

        changes.Publish(ChangeTopic.Application, application.Id);
        if (provision)
        {
            provisioning.Enqueue(application.Id);
        }

        return application;
    }
}
