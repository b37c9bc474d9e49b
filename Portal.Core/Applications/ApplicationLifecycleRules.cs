using Microsoft.EntityFrameworkCore;
using Portal.Core.Provisioning;

namespace Portal.Core.Applications;

/// <summary>What each lifecycle action allows, and bringing an application back after a deletion or suspension.</summary>
internal static class ApplicationLifecycleRules
{
    /// <summary>
    /// Whether the instance can be rolled (restart, configuration change): it is <c>active</c>, or it is
    /// <c>failed</c> after having been active once (a failed roll: its instance exists, and a new roll may repair it).
    /// An application whose provisioning never finished is repaired with "Retry provisioning" instead.
    /// </summary>
    public static bool CanRoll(Application application) =>
        application.Status == ApplicationStatus.Active
        || (application.Status == ApplicationStatus.Failed && application.InternalUrl is not null);

    public static string Describe(ApplicationStatus status) => status.ToString().ToLowerInvariant();

    /// <summary>
    /// Back to <c>active</c> when its last provisioning run succeeded; otherwise back to <c>provisioning</c>, and the
    /// caller enqueues a run (returns true), which resumes the interrupted or failed one.
    /// </summary>
    public static async Task<bool> ReactivateAsync(PortalDbContext db, Application application, CancellationToken cancellationToken)
    {
        var lastRun = await db.Set<ProvisioningRun>().AsNoTracking()
            .Where(r => r.ApplicationId == application.Id)
            .OrderByDescending(r => r.Steps.Max(s => s.Id))
            .Select(r => (ProvisioningRunStatus?)r.Status)
            .FirstOrDefaultAsync(cancellationToken);
        var provisioned = lastRun == ProvisioningRunStatus.Succeeded;
        application.Status = provisioned ? ApplicationStatus.Active : ApplicationStatus.Provisioning;
        return !provisioned;
    }
}
