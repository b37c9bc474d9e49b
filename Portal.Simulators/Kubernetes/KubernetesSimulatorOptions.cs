namespace Portal.Simulators.Kubernetes;

/// <summary>How the simulator serves and how fast its simulated cluster moves.</summary>
public sealed class KubernetesSimulatorOptions
{
    /// <summary>The clusters to serve, one port each; by default one cluster named <c>local</c>.</summary>
    public IList<SimulatedClusterOptions> Clusters { get; init; } = [];

    /// <summary>The first cluster's port; the next clusters take the following ports. 0 picks free ports.</summary>
    public int Port { get; init; }

    /// <summary>The port of the stand-in instances behind every cluster's Services (plain HTTP on loopback); 0 picks a free port.</summary>
    public int InstancesPort { get; init; }

    /// <summary>Serve HTTPS with a generated CA, written into the kubeconfig as certificate-authority-data.</summary>
    public bool UseTls { get; init; } = true;

    /// <summary>The bearer token that may do everything; generated when null.</summary>
    public string? Token { get; init; }

    /// <summary>A token that may only get, list and watch (writes answer 403 Forbidden); none when null.</summary>
    public string? ReadOnlyToken { get; init; }

    /// <summary>From a pod's creation to its container running (scheduling and image pull).</summary>
    public TimeSpan PodStartDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>From a container running to its pod being Ready, when no health endpoint is probed.</summary>
    public TimeSpan PodReadyDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a job's pod runs before it exits.</summary>
    public TimeSpan JobPodRunDuration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>How long a crash-looping container runs before it crashes, and the back-off before its restart.</summary>
    public TimeSpan CrashLoopDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How long a deleted namespace stays Terminating before its content and itself are removed.</summary>
    public TimeSpan NamespaceTerminationDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Where the simulated kubelet sends readiness probes of pods whose containers have an httpGet readiness probe,
    /// e.g. <c>http://127.0.0.1:5080/simulated-apps/{namespace}/{pod}{path}</c>; placeholders: {namespace}, {pod},
    /// {container}, {port}, {path} and {label:NAME}. Without it pods become ready after <see cref="PodReadyDelay"/>.
    /// </summary>
    public string? HealthEndpointTemplate { get; init; }

    /// <summary>How often readiness probes are sent (the probe's periodSeconds is not waited for in full).</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A JSON file that keeps the clusters' objects across restarts; in memory only when null.</summary>
    public string? StateFilePath { get; init; }

    /// <summary>Where the kubeconfig files are written (one per cluster); a new temporary directory when null.</summary>
    public string? KubeconfigDirectory { get; init; }

    public IPodLogSource LogSource { get; init; } = new AuthServerLogSource();

    /// <summary>The time between two log lines of a running container.</summary>
    public TimeSpan LogLineInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>How many recent changes a watch can resume from; older resourceVersions get 410 Gone.</summary>
    public int WatchHistorySize { get; init; } = 20_000;

    /// <summary>How often a watch that asked for bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromSeconds(30);

    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
