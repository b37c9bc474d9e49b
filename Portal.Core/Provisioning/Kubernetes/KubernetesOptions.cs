using Microsoft.Extensions.Configuration;

namespace Portal.Core.Provisioning.Kubernetes;

/// <summary>
/// The <c>Kubernetes</c> section: one cluster per region, reached through a kubeconfig, or simulated (the Kubernetes
/// API simulator, in development and tests). In Development with no region configured, us-east-1 and eu-west-1
/// are simulated.
/// </summary>
public sealed class KubernetesOptions
{
    public const string Section = "Kubernetes";

    /// <summary>The value of <c>Kubeconfig</c> that asks for a simulated cluster.</summary>
    public const string Simulated = "simulated";

    public static readonly string[] DevelopmentRegions = ["us-east-1", "eu-west-1"];

    /// <summary>Region name → how its cluster is reached (<c>Kubernetes:Regions:us-east-1:Kubeconfig</c>).</summary>
    public Dictionary<string, KubernetesRegionOptions> Regions { get; init; } = [];

    /// <summary>Requests per second our client sends to each cluster, on average (<c>Kubernetes:Qps</c>).</summary>
    public double Qps { get; init; } = 100;

    /// <summary>Requests our client may send to one cluster at once before <see cref="Qps"/> paces them (<c>Kubernetes:Burst</c>).</summary>
    public int Burst { get; init; } = 200;

    /// <summary>How simulated regions are simulated.</summary>
    public KubernetesSimulatorSettings Simulator { get; init; } = new();

    public IEnumerable<string> SimulatedRegions => Regions.Where(r => r.Value.IsSimulated).Select(r => r.Key).Order(StringComparer.Ordinal);

    public static KubernetesOptions Read(IConfiguration configuration, bool development)
    {
        var options = configuration.GetSection(Section).Get<KubernetesOptions>() ?? new KubernetesOptions();
        if (options.Regions.Count == 0 && development)
        {
            foreach (var region in DevelopmentRegions)
            {
                options.Regions[region] = new KubernetesRegionOptions { Kubeconfig = Simulated };
            }
        }

        if (!(options.Qps is > 0 and <= 10_000))
        {
            throw new InvalidOperationException($"Setting 'Kubernetes:Qps' must be a number of requests per second above 0 and at most 10000; it is {options.Qps}.");
        }

        if (options.Burst is < 1 or > 10_000)
        {
            throw new InvalidOperationException($"Setting 'Kubernetes:Burst' must be between 1 and 10000 requests; it is {options.Burst}.");
        }

        foreach (var (region, settings) in options.Regions)
        {
            if (string.IsNullOrWhiteSpace(settings.Kubeconfig))
            {
                throw new InvalidOperationException(
                    $"Missing setting 'Kubernetes:Regions:{region}:Kubeconfig': the path of the region's kubeconfig, or '{Simulated}' for the Kubernetes API simulator.");
            }

            if (settings.ServiceUrl is { } template
                && !(Uri.TryCreate(KubernetesClusters.ExpandServiceUrl(template, "ns", "svc", 8080), UriKind.Absolute, out var sample) && sample.Scheme is "http" or "https"))
            {
                throw new InvalidOperationException(
                    $"Setting 'Kubernetes:Regions:{region}:ServiceUrl' must be an http(s) address with placeholders {{service}}, {{namespace}} and {{port}}; it is '{template}'.");
            }

            if (!settings.IsSimulated && !File.Exists(settings.Kubeconfig))
            {
                throw new InvalidOperationException($"Setting 'Kubernetes:Regions:{region}:Kubeconfig' names '{settings.Kubeconfig}', which does not exist.");
            }
        }

        return options;
    }
}
