using k8s;

namespace Portal.Tests.Simulators.Kubernetes;

public sealed class KubernetesSimulatorSmokeTests(KubernetesSimulatorFixture fixture) : IClassFixture<KubernetesSimulatorFixture>
{
    [Fact]
    public async Task Deployment_BecomesAvailable()
    {
        var ct = TestContext.Current.CancellationToken;
        var ns = await fixture.NewNamespaceAsync();
        await fixture.Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web"), ns, cancellationToken: ct);
        var deployment = await Eventually.WaitAsync(() => fixture.Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: ct),
            d => d.Status?.AvailableReplicas == 2, "two available replicas");
        Assert.Equal(2, deployment.Status.ReadyReplicas);
        var pods = await fixture.Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=web", cancellationToken: ct);
        Assert.Equal(2, pods.Items.Count);
        Assert.All(pods.Items, p => Assert.Equal("Running", p.Status.Phase));
    }
}
