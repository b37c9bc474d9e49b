using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using k8s;

namespace Portal.Core.Provisioning.Kubernetes;

/// <summary>
/// The Kubernetes client of each region, through the real KubernetesClient: built from the region's kubeconfig,
/// or, for a simulated region, from the kubeconfig the simulator wrote when it started. Each cluster's requests are
/// paced by a token bucket of its own (<see cref="KubernetesOptions.Qps"/>, <see cref="KubernetesOptions.Burst"/>).
/// </summary>
public sealed class KubernetesClusters(KubernetesOptions options) : IDisposable
{
    private readonly ConcurrentDictionary<string, KubernetesClientConfiguration> _simulated = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _simulatedServiceUrls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IKubernetes> _clients = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, RateLimiter> _limiters = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Regions { get; } = options.Regions.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The regions served by the Kubernetes API simulator, which the UI points out.</summary>
    public IReadOnlyList<string> SimulatedRegions { get; } = options.SimulatedRegions.ToList();

    public bool IsSimulated(string region) => SimulatedRegions.Contains(region);

    /// <summary>Called by the simulator's host once the region's simulated cluster answers.</summary>
    /// <param name="serviceUrl">Where the simulator serves the region's Services (a <see cref="KubernetesRegionOptions.ServiceUrl"/> template).</param>
    public void ConnectSimulated(string region, KubernetesClientConfiguration configuration, string? serviceUrl = null)
    {
        if (!IsSimulated(region))
        {
            throw new ArgumentException($"Region '{region}' is not simulated.", nameof(region));
        }

        _simulated[region] = configuration;
        if (serviceUrl is not null)
        {
            _simulatedServiceUrls[region] = serviceUrl;
        }
    }

    /// <summary>
    /// The address of a Service of the region's cluster: its cluster DNS name, unless the region's
    /// <see cref="KubernetesRegionOptions.ServiceUrl"/> or its simulator says otherwise.
    /// </summary>
    public string ServiceUrl(string region, string ns, string service, int port)
    {
        var template = options.Regions.TryGetValue(region, out var settings) && settings.ServiceUrl is { } configured
            ? configured
            : _simulatedServiceUrls.TryGetValue(region, out var simulated) ? simulated : KubernetesRegionOptions.DefaultServiceUrl;
        return ExpandServiceUrl(template, ns, service, port);
    }

    public static string ExpandServiceUrl(string template, string ns, string service, int port) => template
        .Replace("{namespace}", ns, StringComparison.Ordinal)
        .Replace("{service}", service, StringComparison.Ordinal)
        .Replace("{port}", port.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);

    public IKubernetes Get(string region)
    {
        if (!options.Regions.TryGetValue(region, out var settings))
        {
            throw new KeyNotFoundException($"No Kubernetes cluster is configured for region '{region}'.");
        }

        return _clients.GetOrAdd(region, _ =>
        {
            var configuration = settings.IsSimulated
                ? _simulated.TryGetValue(region, out var simulated)
                    ? simulated
                    : throw new InvalidOperationException($"The simulated cluster of region '{region}' has not started yet.")
                : KubernetesClientConfiguration.BuildConfigFromConfigFile(settings.Kubeconfig, settings.Context);
            var limiter = _limiters.GetOrAdd(region, _ => KubernetesRateLimitHandler.CreateLimiter(options.Qps, options.Burst));
            return new k8s.Kubernetes(configuration, new KubernetesRateLimitHandler(limiter));
        });
    }

    public void Dispose()
    {
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        foreach (var limiter in _limiters.Values)
        {
            limiter.Dispose();
        }
    }
}
