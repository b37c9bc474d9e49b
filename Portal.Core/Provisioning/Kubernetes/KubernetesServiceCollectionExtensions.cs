using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Provisioning.Kubernetes;

public static class KubernetesServiceCollectionExtensions
{
    /// <summary>The regions' Kubernetes clusters (<see cref="KubernetesClusters"/>); settings are checked here, at start-up.</summary>
    public static KubernetesOptions AddKubernetesClusters(this IServiceCollection services, IConfiguration configuration, bool development)
    {
        var options = KubernetesOptions.Read(configuration, development);
        services.AddSingleton(options);
        services.AddSingleton<KubernetesClusters>();
        return options;
    }
}
