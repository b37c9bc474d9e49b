using Microsoft.Extensions.Configuration;
using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Tests.Simulators.Kubernetes;

public sealed class KubernetesOptionsTests
{
    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    [Fact]
    public void Development_WithoutRegions_SimulatesUsEast1AndEuWest1()
    {
        var options = KubernetesOptions.Read(Configuration(), development: true);
        Assert.Equal(["eu-west-1", "us-east-1"], options.SimulatedRegions);
    }

    [Fact]
    public void Production_WithoutRegions_HasNone()
    {
        Assert.Empty(KubernetesOptions.Read(Configuration(), development: false).Regions);
    }

    [Fact]
    public void Region_WithAMissingKubeconfig_StopsStartUpNamingTheSetting()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            KubernetesOptions.Read(Configuration(("Kubernetes:Regions:us-east-1:Kubeconfig", "/no/such/kubeconfig")), development: true));
        Assert.Contains("'Kubernetes:Regions:us-east-1:Kubeconfig'", e.Message, StringComparison.Ordinal);
    }
}
