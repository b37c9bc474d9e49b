using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Hosting;

public static class KubernetesHosting
{
    /// <summary>The regions' clusters, their tenant servers, and the in-process simulator when some region is simulated.</summary>
    public static WebApplicationBuilder AddKubernetesClusters(this WebApplicationBuilder builder)
    {
        var options = builder.Services.AddKubernetesClusters(builder.Configuration, builder.Environment.IsDevelopment());
        builder.Services.AddProvisioning(builder.Configuration, options.Regions.Keys, builder.Environment.IsProduction());
        if (options.SimulatedRegions.Any())
        {
            builder.Services.AddHostedService<KubernetesSimulatorHost>();
        }

        return builder;
    }
}
