using System.Collections.Concurrent;
using k8s;

namespace Portal.Core.Provisioning.Kubernetes;

/// <summary>
/// The Kubernetes client of each region, through the real KubernetesClient: built from the region's kubeconfig,
/// or, for a simulated region, from the kubeconfig the simulator wrote when it started.
/// </summary>
public sealed class KubernetesClusters(KubernetesOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, KubernetesClientConfiguration> _simulated = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IKubernetes> _clients = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Regions { get; } = options.Regions.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The regions served by the Kubernetes API simulator, which the UI points out.</summary>
    public IReadOnlyList<string> SimulatedRegions { get; } = options.SimulatedRegions.ToList();

    public bool IsSimulated(string region) => SimulatedRegions.Contains(region);

    /// <summary>Called by the simulator's host once the region's simulated cluster answers.</summary>
    public void ConnectSimulated(string region, KubernetesClientConfiguration configuration)
    {
        if (!IsSimulated(region))
        {
            throw new ArgumentException($"Region '{region}' is not simulated.", nameof(region));
        }

        _simulated[region] = configuration;
    }

    public IKubernetes Get(string region)
    {
        if (!options.Regions.TryGetValue(region, out var settings))
        {
            throw new KeyNotFoundException($"No Kubernetes cluster is configured for region '{region}'.");
        }

        return _clients.GetOrAdd(region, _ =>
        {
            if (settings.IsSimulated)
            {
                return new k8s.Kubernetes(_simulated.TryGetValue(region, out var simulated)
                    ? simulated
                    : throw new InvalidOperationException($"The simulated cluster of region '{region}' has not started yet."));
            }

            return new k8s.Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(settings.Kubeconfig, settings.Context));
        });
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }
    }
}
