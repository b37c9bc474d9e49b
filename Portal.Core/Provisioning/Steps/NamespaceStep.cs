using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Core.Provisioning.Steps;

/// <summary>The instance's Kubernetes namespace, which every later object lives in.</summary>
public sealed class NamespaceStep(KubernetesClusters clusters, TransientRetry retry) : IProvisioningStep
{
    public string Name => ProvisioningSteps.Namespace;

    public async Task RunAsync(ProvisioningContext context, CancellationToken ct)
    {
        var instance = await context.SpecAsync(ct);
        var k8s = clusters.Get(context.Application.Region);
        await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.Namespace(instance), c), ct);
    }
}
