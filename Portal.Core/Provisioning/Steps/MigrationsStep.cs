using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Core.Provisioning.Steps;

/// <summary>The instance's database migration Job, run to completion.</summary>
public sealed class MigrationsStep(KubernetesClusters clusters, InstanceMigrations migrations) : IProvisioningStep
{
    public string Name => ProvisioningSteps.Migrations;

    public async Task RunAsync(ProvisioningContext context, CancellationToken ct)
    {
        var instance = await context.SpecAsync(ct);
        await migrations.RunAsync(clusters.Get(context.Application.Region), instance, ct);
    }
}
