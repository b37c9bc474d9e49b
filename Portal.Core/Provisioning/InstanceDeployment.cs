using k8s;
using k8s.Models;

namespace Portal.Core.Provisioning;

/// <summary>
/// The instance's Deployment, applied so that the HorizontalPodAutoscaler owns the replica count: the first apply
/// sets it, a second field manager keeps it (<see cref="InstanceManifests.ReplicasHandoverManager"/>), and our
/// applies from then on leave it out. Server-side apply then never resets what the autoscaler chose.
/// </summary>
public static class InstanceDeployment
{
    public static async Task<V1Deployment> EnsureAsync(IKubernetes k8s, InstanceSpec instance, TransientRetry retry, CancellationToken ct)
    {
        var live = await retry.RunAsync(c => KubernetesReads.OrNullAsync(
            () => k8s.AppsV1.ReadNamespacedDeploymentAsync(InstanceManifests.Name, instance.Namespace, cancellationToken: c)), ct);
        live ??= await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.Deployment(instance, instance.Options.Replicas), c), ct);

        if (live.Metadata.ManagedFields?.Any(f => f.Manager == InstanceManifests.ReplicasHandoverManager) != true)
        {
            var replicas = live.Spec.Replicas ?? instance.Options.Replicas;
            await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.DeploymentReplicas(instance, replicas), InstanceManifests.ReplicasHandoverManager, c), ct);
        }

        return await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.Deployment(instance), c), ct);
    }
}
