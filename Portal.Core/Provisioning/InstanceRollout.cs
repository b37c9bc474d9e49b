using System.Diagnostics;
using k8s;
using k8s.Models;
using Microsoft.Extensions.Options;

namespace Portal.Core.Provisioning;

/// <summary>
/// Waits for an instance's Deployment to roll out: used by provisioning's rollout step and by a configuration roll
/// or restart.
/// </summary>
public sealed class InstanceRollout(TransientRetry retry, IOptions<ProvisioningOptions> options, TimeProvider clock)
{
    /// <summary>Until every replica of the current generation is ready; a pod that cannot start fails the attempt at once.</summary>
    public async Task WaitAsync(IKubernetes k8s, InstanceSpec instance, CancellationToken ct, string then = "retry provisioning")
    {
        var settings = options.Value;
        var elapsed = Stopwatch.StartNew();
        var stuckSince = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        while (true)
        {
            var deployment = await retry.RunAsync(c => k8s.AppsV1.ReadNamespacedDeploymentAsync(InstanceManifests.Name, instance.Namespace, cancellationToken: c), ct);
            if (RolledOut(deployment))
            {
                return;
            }

            if (deployment.Status?.Conditions?.FirstOrDefault(c => c.Type == "Progressing") is { Status: "False" } progressing)
            {
                throw new ProvisioningException($"The deployment stopped progressing ({progressing.Reason}): {progressing.Message}");
            }

            var pods = await retry.RunAsync(c => k8s.CoreV1.ListNamespacedPodAsync(instance.Namespace, labelSelector: "app.kubernetes.io/name=" + InstanceManifests.Name, cancellationToken: c), ct);
            foreach (var pod in pods.Items)
            {
                var waiting = StuckPods.Waiting(pod);
                if (waiting is null)
                {
                    stuckSince.Remove(pod.Metadata.Name);
                    continue;
                }

                // A pod seen stuck may be a moment from recovering (the image was just fixed): only a pod that stays stuck fails the attempt.
                var since = stuckSince.TryGetValue(pod.Metadata.Name, out var first) ? first : stuckSince[pod.Metadata.Name] = elapsed.Elapsed;
                if (elapsed.Elapsed - since >= settings.StuckPodGrace)
                {
                    throw new ProvisioningException($"Pod {pod.Metadata.Name} cannot start: {waiting.Reason}: {waiting.Message} " + StuckPods.Hint(waiting.Reason, then));
                }
            }

            if (elapsed.Elapsed > settings.RolloutTimeout)
            {
                throw new ProvisioningException(
                    $"The rollout did not finish within {settings.RolloutTimeout}: {deployment.Status?.ReadyReplicas ?? 0} of {deployment.Spec.Replicas} replicas ready.");
            }

            await Task.Delay(settings.RolloutPollInterval, clock, ct);
        }
    }

    public static bool RolledOut(V1Deployment deployment)
    {
        var replicas = deployment.Spec.Replicas ?? 1;
        var status = deployment.Status;
        return status is not null
            && status.ObservedGeneration >= deployment.Metadata.Generation
            && status.UpdatedReplicas == replicas
            && status.ReadyReplicas == replicas
            && status.AvailableReplicas == replicas
            && (status.Replicas ?? 0) == replicas;
    }
}
