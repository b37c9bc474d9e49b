using Portal.Core.Provisioning.Kubernetes;
using Portal.Simulators.Kubernetes;

namespace Portal.Hosting;

/// <summary>
/// Runs the Kubernetes API simulator inside the portal for the regions configured as <c>simulated</c> (by default
/// every region in Development), and connects those regions' clients to it.
/// </summary>
public sealed class KubernetesSimulatorHost(KubernetesOptions options, KubernetesClusters clusters, IHostEnvironment environment, ILogger<KubernetesSimulatorHost> logger)
    : IHostedService, IAsyncDisposable
{
    private KubernetesSimulator? _simulator;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var settings = options.Simulator;
        _simulator = await KubernetesSimulator.StartAsync(new KubernetesSimulatorOptions
        {
            Clusters = options.SimulatedRegions.Select(region => new SimulatedClusterOptions(region, region)).ToList(),
            Port = settings.Port,
            InstancesPort = settings.InstancesPort,
            StateFilePath = Resolve(settings.StateFile),
            KubeconfigDirectory = Resolve(settings.KubeconfigDirectory),
            HealthEndpointTemplate = settings.HealthEndpointTemplate,
            PodStartDelay = settings.PodStartDelay,
            PodReadyDelay = settings.PodReadyDelay,
        }, cancellationToken);
        foreach (var cluster in _simulator.Clusters)
        {
            var serviceUrl = _simulator.Instances.ServiceUrlTemplate(cluster.Name);
            clusters.ConnectSimulated(cluster.Region, cluster.ClientConfiguration(), serviceUrl);
            if (logger.IsEnabled(LogLevel.Information))
            {
                logger.LogInformation("Region {Region} uses the Kubernetes API simulator at {Address} (kubeconfig {Kubeconfig}); its Services answer at {ServiceUrl}",
                    cluster.Region, cluster.BaseUri, cluster.KubeconfigPath, serviceUrl);
            }
        }
    }

    private string? Resolve(string? path) => path is null ? null : Path.GetFullPath(path, environment.ContentRootPath);

    public async Task StopAsync(CancellationToken cancellationToken) => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        // Stopped by the host, then disposed by the container: only the first call stops the simulator.
        if (Interlocked.Exchange(ref _simulator, null) is { } simulator)
        {
            await simulator.DisposeAsync();
        }
    }
}
