using k8s;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Provisioning.Kubernetes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>The portal with simulated regions: the simulator runs in its process, the regions' clients reach it, the UI says so.</summary>
public sealed class KubernetesPortalTests(TestServers servers) : PortalTest(servers)
{
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Kubernetes:Regions:us-east-1:Kubeconfig"] = "simulated",
        ["Kubernetes:Regions:eu-west-1:Kubeconfig"] = "simulated",
    };

    [Fact]
    public async Task SimulatedRegions_ReachTheirOwnSimulatedCluster()
    {
        using var client = App.CreatePortalClient();
        var clusters = App.Services.GetRequiredService<KubernetesClusters>();

        Assert.Equal(["eu-west-1", "us-east-1"], clusters.SimulatedRegions);
        var east = await clusters.Get("us-east-1").CoreV1.ListNamespaceAsync(cancellationToken: TestContext.Current.CancellationToken);
        Assert.Contains(east.Items, n => n.Metadata.Name == "default");
        Assert.NotSame(clusters.Get("us-east-1"), clusters.Get("eu-west-1"));
    }

    [Fact]
    public async Task SimulatedRegions_ServicesAnswerOnTheInProcessStandInInstances()
    {
        var ct = TestContext.Current.CancellationToken;
        using var client = App.CreatePortalClient();
        var clusters = App.Services.GetRequiredService<KubernetesClusters>();
        var east = clusters.Get("us-east-1");
        var ns = (await east.CoreV1.CreateNamespaceAsync(new k8s.Models.V1Namespace { Metadata = new k8s.Models.V1ObjectMeta { GenerateName = "sa-" } }, cancellationToken: ct)).Metadata.Name;
        await east.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 1), ns, cancellationToken: ct);
        await east.CoreV1.CreateNamespacedServiceAsync(Manifests.Service("web"), ns, cancellationToken: ct);

        var url = clusters.ServiceUrl("us-east-1", ns, "web", 80);
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);
        Assert.NotEqual(url, clusters.ServiceUrl("eu-west-1", ns, "web", 80));
        using var http = new HttpClient();
        await Eventually.WaitAsync(async () =>
        {
            using var response = await http.GetAsync(url + Portal.Simulators.Kubernetes.InstanceServer.HealthPath, ct);
            return response.StatusCode;
        }, s => s == System.Net.HttpStatusCode.OK, "the stand-in instance answering");
    }

    [Fact]
    public async Task AppBar_ShowsTheSimulatedClusterBadge()
    {
        using var client = App.CreatePortalClient();
        await AccountSteps.RegisterAndSignInAsync(App, client);

        var home = await client.GetAsync("/");

        Assert.Equal("simulated cluster", home.TestId("simulated-cluster-badge"));
    }
}
