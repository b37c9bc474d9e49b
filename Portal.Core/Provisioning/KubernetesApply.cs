using k8s;
using k8s.Models;

namespace Portal.Core.Provisioning;

/// <summary>Server-side apply of the instance's objects, with our field manager, forcing ownership of our fields.</summary>
public static class KubernetesApply
{
    private static V1Patch Body(object manifest) => new(manifest, V1Patch.PatchType.ApplyPatch);

    private const string Manager = InstanceManifests.FieldManager;

    public static Task<V1Namespace> ApplyAsync(this IKubernetes k8s, V1Namespace o, CancellationToken ct) =>
        k8s.CoreV1.PatchNamespaceAsync(Body(o), o.Metadata.Name, fieldManager: Manager, force: true, cancellationToken: ct);

    public static Task<V1ServiceAccount> ApplyAsync(this IKubernetes k8s, V1ServiceAccount o, CancellationToken ct) =>
        k8s.CoreV1.PatchNamespacedServiceAccountAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: Manager, force: true, cancellationToken: ct);

    public static Task<V1Secret> ApplyAsync(this IKubernetes k8s, V1Secret o, CancellationToken ct) =>
        k8s.CoreV1.PatchNamespacedSecretAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: Manager, force: true, cancellationToken: ct);

    public static Task<V1ConfigMap> ApplyAsync(this IKubernetes k8s, V1ConfigMap o, CancellationToken ct) =>
        k8s.CoreV1.PatchNamespacedConfigMapAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: Manager, force: true, cancellationToken: ct);

    public static Task<V1ResourceQuota> ApplyAsync(this IKubernetes k8s, V1ResourceQuota o, CancellationToken ct) =>
        k8s.CoreV1.PatchNamespacedResourceQuotaAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: Manager, force: true, cancellationToken: ct);

    public static Task<V1LimitRange> ApplyAsync(this IKubernetes k8s, V1LimitRange o, CancellationToken ct) =>
        k8s.CoreV1.PatchNamespacedLimitRangeAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: Manager, force: true, cancellationToken: ct);

    public static Task<V1NetworkPolicy> ApplyAsync(this IKubernetes k8s, V1NetworkPolicy o, CancellationToken ct) =>
        k8s.NetworkingV1.PatchNamespacedNetworkPolicyAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: Manager, force: true, cancellationToken: ct);

    public static Task<V1Deployment> ApplyAsync(this IKubernetes k8s, V1Deployment o, CancellationToken ct) => k8s.ApplyAsync(o, Manager, ct);

    public static Task<V1Deployment> ApplyAsync(this IKubernetes k8s, V1Deployment o, string fieldManager, CancellationToken ct) =>
        k8s.AppsV1.PatchNamespacedDeploymentAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: fieldManager, force: true, cancellationToken: ct);

    public static Task<V1Job> ApplyAsync(this IKubernetes k8s, V1Job o, CancellationToken ct) =>
        k8s.BatchV1.PatchNamespacedJobAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: Manager, force: true, cancellationToken: ct);

    public static Task<V1Service> ApplyAsync(this IKubernetes k8s, V1Service o, CancellationToken ct) =>
        k8s.CoreV1.PatchNamespacedServiceAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: Manager, force: true, cancellationToken: ct);

    public static Task<V1PodDisruptionBudget> ApplyAsync(this IKubernetes k8s, V1PodDisruptionBudget o, CancellationToken ct) =>
        k8s.PolicyV1.PatchNamespacedPodDisruptionBudgetAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: Manager, force: true, cancellationToken: ct);

    public static Task<V2HorizontalPodAutoscaler> ApplyAsync(this IKubernetes k8s, V2HorizontalPodAutoscaler o, CancellationToken ct) =>
        k8s.AutoscalingV2.PatchNamespacedHorizontalPodAutoscalerAsync(Body(o), o.Metadata.Name, o.Metadata.NamespaceProperty, fieldManager: Manager, force: true, cancellationToken: ct);
}
