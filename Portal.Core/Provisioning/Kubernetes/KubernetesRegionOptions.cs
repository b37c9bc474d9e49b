namespace Portal.Core.Provisioning.Kubernetes;

/// <summary>How one region's cluster is reached.</summary>
public sealed class KubernetesRegionOptions
{
    /// <summary>The kubeconfig's path, or <c>simulated</c>.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The kubeconfig context to use; its current context when unset.</summary>
    public string? Context { get; init; }

    public bool IsSimulated => string.Equals(Kubeconfig, KubernetesOptions.Simulated, StringComparison.OrdinalIgnoreCase);
}
