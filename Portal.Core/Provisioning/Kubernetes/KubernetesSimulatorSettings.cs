namespace Portal.Core.Provisioning.Kubernetes;

/// <summary>The <c>Kubernetes:Simulator</c> settings, for the regions whose kubeconfig is <c>simulated</c>.</summary>
public sealed class KubernetesSimulatorSettings
{
    /// <summary>Where the simulated clusters keep their objects across restarts; in memory only when unset.</summary>
    public string? StateFile { get; init; }

    /// <summary>Where their kubeconfig files are written (one per region); a temporary directory when unset.</summary>
    public string? KubeconfigDirectory { get; init; }

    /// <summary>The first simulated cluster's port (the next regions take the next ports); 0 picks free ports.</summary>
    public int Port { get; init; }

    /// <summary>The port of the stand-in instances behind the simulated Services (HTTP on loopback); 0 picks a free port.</summary>
    public int InstancesPort { get; init; }

    /// <summary>Where readiness probes go, e.g. <c>http://127.0.0.1:5080/simulated/{namespace}/{pod}{path}</c>; pods become ready after a delay when unset.</summary>
    public string? HealthEndpointTemplate { get; init; }

    public TimeSpan PodStartDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan PodReadyDelay { get; init; } = TimeSpan.FromSeconds(2);
}
