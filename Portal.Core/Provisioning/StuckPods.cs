using k8s.Models;

namespace Portal.Core.Provisioning;

/// <summary>Pods that cannot start (image pull, crash loop), and what the owner can do about it.</summary>
public static class StuckPods
{
    private static readonly HashSet<string> Reasons =
        ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CrashLoopBackOff", "CreateContainerConfigError"];

    /// <summary>The waiting state that keeps one of the pod's containers from starting; null when none does.</summary>
    public static V1ContainerStateWaiting? Waiting(V1Pod pod) =>
        pod.Status?.ContainerStatuses?.Select(s => s.State?.Waiting).FirstOrDefault(w => w?.Reason is { } reason && Reasons.Contains(reason));

    /// <summary>What the owner can do about a pod stuck for <paramref name="reason"/>; <paramref name="then"/> is the way to try again.</summary>
    public static string Hint(string? reason, string then = "retry provisioning") => reason switch
    {
        "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "ErrImageNeverPull" =>
            $"Check that the instance image exists and the cluster can pull it, then {then}.",
        "CrashLoopBackOff" => $"The server exits after starting: check its logs and configuration, then {then}.",
        _ => $"Check the pod's events, then {then}.",
    };
}
