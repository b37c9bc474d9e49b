using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Provisioning;
using Portal.Core.Workspaces;

namespace Portal.Core.Applications;

/// <summary>"Retry provisioning": a failed application's provisioning starts again from the step that failed.</summary>
public sealed class RetryProvisioning(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, IProvisioningQueue provisioning)
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
        if (application.Status != ApplicationStatus.Failed)
        {
            return Failure.Conflict($"Only a failed application's provisioning is retried; this one is {application.Status.ToString().ToLowerInvariant()}.");
        }

        application.Status = ApplicationStatus.Provisioning;
        audit.Add(db, actor, "application.provisioning_retried", application.WorkspaceId, "application", application.Id,
            new AuditChanges().Field("status", ApplicationStatus.Failed, ApplicationStatus.Provisioning));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Failure.Conflict("The application changed at the same time; reload and try again.");
        }

        provisioning.Enqueue(application.Id);
        return application;
    }
}
