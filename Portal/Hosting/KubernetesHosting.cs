using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Hosting;

public static class KubernetesHosting
{
    /// <summary>The regions' clusters, and the in-process simulator when some region is simulated.</summary>
    public static WebApplicationBuilder AddKubernetesClusters(this WebApplicationBuilder builder)
    {
        var options = builder.Services.AddKubernetesClusters(builder.Configuration, builder.Environment.IsDevelopment());
        if (options.SimulatedRegions.Any())
        {
            builder.Services.AddHostedService<KubernetesSimulatorHost>();
        }

        return builder;
    }
}
