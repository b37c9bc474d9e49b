using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Core.Provisioning.Steps;

/// <summary>Waits until every replica of the instance's Deployment is ready.</summary>
public sealed class RolloutStep(KubernetesClusters clusters, InstanceRollout rollout) : IProvisioningStep
{
    public string Name => ProvisioningSteps.Rollout;

    public async Task RunAsync(ProvisioningContext context, CancellationToken ct)
    {
        var instance = await context.SpecAsync(ct);
        await rollout.WaitAsync(clusters.Get(context.Application.Region), instance, ct);
    }
}
