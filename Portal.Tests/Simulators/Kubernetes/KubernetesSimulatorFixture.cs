using k8s;
using k8s.Models;
using Portal.Simulators.Kubernetes;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>A simulator on a free port with in-memory state and a fast clock of delays; one per test class.</summary>
public sealed class KubernetesSimulatorFixture : IAsyncLifetime
{
    public KubernetesSimulator Simulator { get; private set; } = null!;

    public SimulatedCluster Cluster => Simulator.Clusters[0];

    /// <summary>The real KubernetesClient, configured from the kubeconfig the simulator wrote.</summary>
    public IKubernetes Client { get; private set; } = null!;

    public static KubernetesSimulatorOptions FastOptions(params SimulatedClusterOptions[] clusters) => new()
    {
        Clusters = clusters,
        PodStartDelay = TimeSpan.FromMilliseconds(20),
        PodReadyDelay = TimeSpan.FromMilliseconds(30),
        JobPodRunDuration = TimeSpan.FromMilliseconds(50),
        CrashLoopDelay = TimeSpan.FromMilliseconds(50),
        NamespaceTerminationDelay = TimeSpan.FromMilliseconds(1500), // long enough to see Terminating on a loaded machine
        LogLineInterval = TimeSpan.FromMilliseconds(20),
        BookmarkInterval = TimeSpan.FromMilliseconds(200),
        ProbeInterval = TimeSpan.FromMilliseconds(50),
    };

    public async ValueTask InitializeAsync()
    {
        Simulator = await KubernetesSimulator.StartAsync(FastOptions());
        Client = Cluster.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Simulator.DisposeAsync();
    }

    /// <summary>A namespace of the test's own, so that tests sharing the simulator do not see each other.</summary>
    public async Task<string> NewNamespaceAsync(string prefix = "t")
    {
        var ns = await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { GenerateName = prefix + "-" } },
            cancellationToken: TestContext.Current.CancellationToken);
        return ns.Metadata.Name;
    }
}
