using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Core.Provisioning.Steps;

/// <summary>The namespace's resource quota, default limits and network policy, in place before the workload starts.</summary>
public sealed class PoliciesStep(KubernetesClusters clusters, TransientRetry retry) : IProvisioningStep
{
    public string Name => ProvisioningSteps.Policies;

    public async Task RunAsync(ProvisioningContext context, CancellationToken ct)
    {
        var instance = await context.SpecAsync(ct);
        var k8s = clusters.Get(context.Application.Region);
        await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.ResourceQuota(instance), c), ct);
        await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.LimitRange(instance), c), ct);
        await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.NetworkPolicy(instance), c), ct);
    }
}
