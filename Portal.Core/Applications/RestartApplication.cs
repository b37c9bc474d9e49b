using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Provisioning;
using Portal.Core.Workspaces;

namespace Portal.Core.Applications;

/// <summary>
/// "Restart": replaces the instance's pods one at a time (no downtime), with the current configuration. Status
/// <c>restarting</c> until the new pods are ready. Allowed when active, or failed after having been active.
/// </summary>
public sealed class RestartApplication(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock, IInstanceRollQueue rolls)
{
    public async Task<Outcome<Application>> ExecuteAsync(Actor actor, string applicationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, actor.UserId, applicationId, WorkspacePermission.ManageApplications, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var application = found.Value;
        if (!ApplicationLifecycleRules.CanRoll(application))
        {
            return Failure.Conflict(application.Status switch
            {
                ApplicationStatus.Restarting => "The application is already restarting.",
                ApplicationStatus.Provisioning => "The application is still being provisioned; it can restart once it is active.",
                ApplicationStatus.Failed => "The application's provisioning failed before it was ever active: retry provisioning instead.",
                _ => $"Only an active application restarts; this one is {ApplicationLifecycleRules.Describe(application.Status)}.",
            });
        }

        var before = application.Status;
        application.Status = ApplicationStatus.Restarting;
        application.RestartedAt = clock.GetUtcNow();
        application.LastError = null;
        audit.Add(db, actor, "application.restarted", application.WorkspaceId, "application", application.Id,
            new AuditChanges().Field("status", before, application.Status));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Failure.Conflict("The application changed at the same time; reload and try again.");
        }

        rolls.EnqueueRoll(application.Id);
        return application;
    }
}
