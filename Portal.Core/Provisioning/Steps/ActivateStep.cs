using Microsoft.EntityFrameworkCore;
using Portal.Core.Applications;

namespace Portal.Core.Provisioning.Steps;

/// <summary>Marks the application active and records the address its Service answers on, where the proxy sends its traffic.</summary>
public sealed class ActivateStep : IProvisioningStep
{
    public string Name => ProvisioningSteps.Activate;

    public async Task RunAsync(ProvisioningContext context, CancellationToken ct)
    {
        var instance = await context.SpecAsync(ct);
        var applicationId = context.Application.Id;
        // A deletion or a suspension that happened during the run wins.
        await context.Db.Set<Application>()
            .Where(a => a.Id == applicationId && a.DeletedAt == null && a.Status != ApplicationStatus.Suspended)
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.Status, ApplicationStatus.Active).SetProperty(x => x.InternalUrl, instance.InternalUrl), ct);
    }
}
