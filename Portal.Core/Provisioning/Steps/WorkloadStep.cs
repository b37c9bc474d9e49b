using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Core.Provisioning.Steps;

/// <summary>The instance's Deployment (its replica count handed to the autoscaler), Service, disruption budget and autoscaler.</summary>
public sealed class WorkloadStep(KubernetesClusters clusters, TransientRetry retry) : IProvisioningStep
{
    public string Name => ProvisioningSteps.Workload;

    public async Task RunAsync(ProvisioningContext context, CancellationToken ct)
    {
        var instance = await context.SpecAsync(ct);
        var k8s = clusters.Get(context.Application.Region);
        await InstanceDeployment.EnsureAsync(k8s, instance, retry, ct);
        await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.Service(instance), c), ct);
        await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.PodDisruptionBudget(instance), c), ct);
        await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.HorizontalPodAutoscaler(instance), c), ct);
    }
}
