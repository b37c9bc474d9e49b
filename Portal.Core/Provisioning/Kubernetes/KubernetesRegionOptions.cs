namespace Portal.Core.Provisioning.Kubernetes;

/// <summary>How one region's cluster is reached.</summary>
public sealed class KubernetesRegionOptions
{
    /// <summary>The kubeconfig's path, or <c>simulated</c>.</summary>
    public string? Kubeconfig { get; init; }

    /// <summary>The kubeconfig context to use; its current context when unset.</summary>
    public string? Context { get; init; }

    /// <summary>
    /// The address of an instance's Service, with placeholders <c>{service}</c>, <c>{namespace}</c> and <c>{port}</c>;
    /// the cluster DNS name <see cref="DefaultServiceUrl"/> when unset. A simulated region uses its stand-in instances.
    /// </summary>
    public string? ServiceUrl { get; init; }

    public const string DefaultServiceUrl = "http://{service}.{namespace}.svc.cluster.local:{port}";

    public bool IsSimulated => string.Equals(Kubeconfig, KubernetesOptions.Simulated, StringComparison.OrdinalIgnoreCase);
}
