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

    [Fact]
    public void ServiceUrl_IsTheClusterDnsName_UnlessConfiguredOrSimulated()
    {
        var kubeconfig = Path.GetTempFileName();
        try
        {
            var options = KubernetesOptions.Read(Configuration(
                ("Kubernetes:Regions:real:Kubeconfig", kubeconfig),
                ("Kubernetes:Regions:configured:Kubeconfig", kubeconfig),
                ("Kubernetes:Regions:configured:ServiceUrl", "http://127.0.0.1:9000/x/{namespace}/{service}"),
                ("Kubernetes:Regions:sim:Kubeconfig", "simulated")), development: false);
            using var clusters = new KubernetesClusters(options);
            clusters.ConnectSimulated("sim", new k8s.KubernetesClientConfiguration { Host = "http://127.0.0.1:1" }, "http://127.0.0.1:9001/sim/{namespace}/{service}");

            Assert.Equal("http://authsome.authsome-app-1.svc.cluster.local:8080", clusters.ServiceUrl("real", "authsome-app-1", "authsome", 8080));
            Assert.Equal("http://127.0.0.1:9000/x/authsome-app-1/authsome", clusters.ServiceUrl("configured", "authsome-app-1", "authsome", 8080));
            Assert.Equal("http://127.0.0.1:9001/sim/authsome-app-1/authsome", clusters.ServiceUrl("sim", "authsome-app-1", "authsome", 8080));
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Theory]
    [InlineData("not a url/{namespace}")]
    [InlineData("ftp://{service}.{namespace}:{port}")]
    public void ServiceUrl_ThatIsNotAnHttpAddress_StopsStartUpNamingTheSetting(string template)
    {
        var e = Assert.Throws<InvalidOperationException>(() => KubernetesOptions.Read(Configuration(
            ("Kubernetes:Regions:us-east-1:Kubeconfig", "simulated"), ("Kubernetes:Regions:us-east-1:ServiceUrl", template)), development: true));
        Assert.Contains("'Kubernetes:Regions:us-east-1:ServiceUrl'", e.Message, StringComparison.Ordinal);
    }
}
