using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Core.Provisioning.Steps;

/// <summary>The instance's service account, its Secret (connection strings, signing key) and its ConfigMap.</summary>
public sealed class ConfigurationStep(KubernetesClusters clusters, TransientRetry retry) : IProvisioningStep
{
    public string Name => ProvisioningSteps.Configuration;

    public async Task RunAsync(ProvisioningContext context, CancellationToken ct)
    {
        var instance = await context.SpecAsync(ct);
        var k8s = clusters.Get(context.Application.Region);
        await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.ServiceAccount(instance), c), ct);
        await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.Secret(instance), c), ct);
        await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.ConfigMap(instance), c), ct);
    }
}
