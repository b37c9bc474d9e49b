using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Portal.Simulators.Kubernetes;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>How the simulator runs: several clusters, state kept in a file, readiness from a health endpoint, read-only tokens.</summary>
public sealed class KubernetesSimulatorHostingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SeveralClusters_HaveTheirOwnPortKubeconfigAndObjects()
    {
        await using var simulator = await KubernetesSimulator.StartAsync(
            KubernetesSimulatorFixture.FastOptions(new SimulatedClusterOptions("us-east-1"), new SimulatedClusterOptions("eu-west-1")), Ct);
        using var east = simulator["us-east-1"].CreateClient();
        using var west = simulator["eu-west-1"].CreateClient();
        Assert.NotEqual(simulator["us-east-1"].BaseUri, simulator["eu-west-1"].BaseUri);
        Assert.NotEqual(simulator["us-east-1"].KubeconfigPath, simulator["eu-west-1"].KubeconfigPath);

        await east.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "only-east" } }, cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => west.CoreV1.ReadNamespaceAsync("only-east", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, e.Response.StatusCode);
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(simulator["eu-west-1"].KubeconfigPath);
        Assert.Equal("eu-west-1", config.CurrentContext);
    }

    [Fact]
    public async Task StandInInstances_AreRoutedToTheirOwnCluster()
    {
        await using var simulator = await KubernetesSimulator.StartAsync(
            KubernetesSimulatorFixture.FastOptions(new SimulatedClusterOptions("us-east-1"), new SimulatedClusterOptions("eu-west-1")), Ct);
        using var east = simulator["us-east-1"].CreateClient();
        using var west = simulator["eu-west-1"].CreateClient();
        foreach (var client in new[] { east, west })
        {
            await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "acme" } }, cancellationToken: Ct);
            await client.CoreV1.CreateNamespacedServiceAsync(Manifests.Service("web"), "acme", cancellationToken: Ct);
        }

        await east.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 1), "acme", cancellationToken: Ct);
        using var http = new HttpClient();
        var eastHealth = new Uri(simulator.Instances.ServiceUri("us-east-1", "acme", "web") + InstanceServer.HealthPath);
        await Eventually.WaitAsync(async () =>
        {
            using var response = await http.GetAsync(eastHealth, Ct);
            return response.StatusCode;
        }, s => s == HttpStatusCode.OK, "the east instance answering");

        // The same Service in the other cluster has no pods behind it.
        using var westHealth = await http.GetAsync(new Uri(simulator.Instances.ServiceUri("eu-west-1", "acme", "web") + InstanceServer.HealthPath), Ct);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, westHealth.StatusCode);
    }

    [Fact]
    public async Task StateFile_KeepsObjectsAcrossARestart()
    {
        var directory = Directory.CreateTempSubdirectory("k8s-sim-state-");
        try
        {
            var options = KubernetesSimulatorFixture.FastOptions(new SimulatedClusterOptions("us-east-1"));
            var persisted = new KubernetesSimulatorOptions
            {
                Clusters = options.Clusters,
                StateFilePath = Path.Combine(directory.FullName, "kubernetes-simulator.json"),
                PodStartDelay = options.PodStartDelay,
                PodReadyDelay = options.PodReadyDelay,
            };
            string resourceVersion;
            await using (var first = await KubernetesSimulator.StartAsync(persisted, Ct))
            {
                using var client = first.Clusters[0].CreateClient();
                await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "acme" } }, cancellationToken: Ct);
                await client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web"), "acme", cancellationToken: Ct);
                var ready = await Eventually.WaitAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("web", "acme", cancellationToken: Ct),
                    d => d.Status?.AvailableReplicas == 2, "available");
                resourceVersion = ready.Metadata.ResourceVersion;
            }

            await using var second = await KubernetesSimulator.StartAsync(persisted, Ct);
            using var again = second.Clusters[0].CreateClient();
            var deployment = await again.AppsV1.ReadNamespacedDeploymentAsync("web", "acme", cancellationToken: Ct);
            Assert.Equal(2, deployment.Status.AvailableReplicas);
            Assert.Equal(2, (await again.CoreV1.ListNamespacedPodAsync("acme", cancellationToken: Ct)).Items.Count);
            var created = await again.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "after" } }, "acme", cancellationToken: Ct);
            Assert.True(long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture) > long.Parse(resourceVersion, System.Globalization.CultureInfo.InvariantCulture));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task ReadinessProbe_AsksTheHealthEndpoint()
    {
        var healthy = false;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        app.MapGet("/apps/{ns}/{pod}/healthz", () => healthy ? Results.Ok() : Results.StatusCode(503));
        await app.StartAsync(Ct);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();

        var fast = KubernetesSimulatorFixture.FastOptions();
        await using var simulator = await KubernetesSimulator.StartAsync(new KubernetesSimulatorOptions
        {
            PodStartDelay = fast.PodStartDelay,
            ProbeInterval = fast.ProbeInterval,
            HealthEndpointTemplate = address + "/apps/{namespace}/{pod}{path}",
        }, Ct);
        using var client = simulator.Clusters[0].CreateClient();
        var deployment = Manifests.Deployment("web", replicas: 1);
        deployment.Spec.Template.Spec.Containers[0].ReadinessProbe = new V1Probe { HttpGet = new V1HTTPGetAction { Path = "/healthz", Port = 8080 } };
        await client.AppsV1.CreateNamespacedDeploymentAsync(deployment, "default", cancellationToken: Ct);

        var unhealthy = await Eventually.WaitAsync(() => client.CoreV1.ListNamespacedEventAsync("default", fieldSelector: "reason=Unhealthy", cancellationToken: Ct),
            l => l.Items.Count > 0, "a failed probe");
        Assert.Equal("Readiness probe failed: HTTP probe failed with statuscode: 503", unhealthy.Items[0].Message);
        var pod = (await client.CoreV1.ListNamespacedPodAsync("default", cancellationToken: Ct)).Items.Single();
        Assert.Equal("Running", pod.Status.Phase);
        Assert.DoesNotContain(pod.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");

        healthy = true;
        await Eventually.WaitAsync(() => client.AppsV1.ReadNamespacedDeploymentAsync("web", "default", cancellationToken: Ct), d => d.Status?.ReadyReplicas == 1, "ready after the endpoint answers 200");
    }

    [Fact]
    public async Task ReadOnlyToken_ReadsButCannotWrite()
    {
        await using var simulator = await KubernetesSimulator.StartAsync(new KubernetesSimulatorOptions { ReadOnlyToken = "viewer", UseTls = false }, Ct);
        var config = simulator.Clusters[0].ClientConfiguration();
        Assert.StartsWith("http://", config.Host, StringComparison.Ordinal);
        config.AccessToken = "viewer";
        using var client = new k8s.Kubernetes(config);
        Assert.NotEmpty((await client.CoreV1.ListNamespaceAsync(cancellationToken: Ct)).Items);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }, "default", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, e.Response.StatusCode);
        Assert.Equal("configmaps is forbidden: User \"simulator-read-only\" cannot create resource \"configmaps\" in API group \"\" in the namespace \"default\"",
            KubernetesJson.Deserialize<V1Status>(e.Response.Content).Message);
    }
}
