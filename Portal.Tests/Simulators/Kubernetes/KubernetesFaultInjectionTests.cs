using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>Each fault switch, as the real client sees it. Faults are scoped to a test's namespace or to a resource it alone uses.</summary>
public sealed class KubernetesFaultInjectionTests(KubernetesSimulatorFixture fixture) : IClassFixture<KubernetesSimulatorFixture>
{
    private IKubernetes Client => fixture.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(429, "TooManyRequests")]
    [InlineData(500, "InternalError")]
    [InlineData(503, "ServiceUnavailable")]
    public async Task FailNext_FailsThatManyMatchingRequests_ThenServesAgain(int code, string reason)
    {
        var ns = await fixture.NewNamespaceAsync();
        fixture.Cluster.Faults.FailNext(2, code, verb: "list", resource: "configmaps", @namespace: ns, retryAfterSeconds: 3);

        for (var i = 0; i < 2; i++)
        {
            var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct));
            Assert.Equal((HttpStatusCode)code, e.Response.StatusCode);
            var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
            Assert.Equal((code, reason), (status.Code, status.Reason));
            if (code is 429 or 503)
            {
                Assert.Equal("3", e.Response.Headers["Retry-After"].Single());
                Assert.Equal(3, status.Details.RetryAfterSeconds);
            }
        }

        Assert.NotNull(await Client.CoreV1.ListNamespacedConfigMapAsync(ns, cancellationToken: Ct));
    }

    [Fact]
    public async Task Latency_DelaysMatchingRequests()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedServiceAccountAsync(new V1ServiceAccount { Metadata = new V1ObjectMeta { Name = "slow" } }, ns, cancellationToken: Ct);
        fixture.Cluster.Faults.AddLatency(TimeSpan.FromMilliseconds(300), verb: "get", resource: "serviceaccounts");
        try
        {
            var clock = Stopwatch.StartNew();
            await Client.CoreV1.ReadNamespacedServiceAccountAsync("slow", ns, cancellationToken: Ct);
            Assert.True(clock.ElapsedMilliseconds >= 290, $"took {clock.ElapsedMilliseconds} ms");
        }
        finally
        {
            fixture.Cluster.Faults.AddLatency(TimeSpan.Zero, verb: "get", resource: "serviceaccounts");
        }
    }

    [Fact]
    public async Task DropWatches_EndsTheClientsWatchStream()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "s" } }, ns, cancellationToken: Ct);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        var events = 0;
        await foreach (var (type, _) in Client.CoreV1.WatchListNamespacedSecretAsync(ns, cancellationToken: deadline.Token))
        {
            Assert.Equal(WatchEventType.Added, type);
            events++;
            Assert.True(fixture.Cluster.Faults.DropWatches("secrets") >= 1);
        }

        Assert.Equal(1, events);
        Assert.False(deadline.IsCancellationRequested);
    }

    [Fact]
    public async Task FailImagePulls_KeepsPodsInErrImagePullThenImagePullBackOff_UntilSwitchedOff()
    {
        var ns = await fixture.NewNamespaceAsync();
        fixture.Cluster.Faults.FailImagePulls(ns);
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 1), ns, cancellationToken: Ct);

        var pod = await Eventually.WaitAsync(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct)).Items.SingleOrDefault(),
            p => p?.Status?.ContainerStatuses?.Single().State.Waiting?.Reason == "ImagePullBackOff", "ImagePullBackOff");
        Assert.Equal("Pending", pod!.Status.Phase);
        var failed = await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={pod.Metadata.Name},reason=Failed", cancellationToken: Ct);
        Assert.Contains(failed.Items, e => e.Message == "Error: ErrImagePull" && e.Type == "Warning");
        var deployment = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct);
        Assert.Null(deployment.Status.AvailableReplicas);

        fixture.Cluster.Faults.FailImagePulls(ns, fail: false);
        await Eventually.WaitAsync(() => Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct), d => d.Status?.AvailableReplicas == 1, "recovery");
    }

    [Fact]
    public async Task CrashLoop_RestartsTheDeploymentsContainers_InCrashLoopBackOff()
    {
        var ns = await fixture.NewNamespaceAsync();
        fixture.Cluster.Faults.CrashLoop(ns, "web");
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 1), ns, cancellationToken: Ct);

        var pod = await Eventually.WaitAsync(async () => (await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct)).Items.SingleOrDefault(),
            p => p?.Status?.ContainerStatuses?.Single() is { RestartCount: >= 2, State.Waiting.Reason: "CrashLoopBackOff" }, "CrashLoopBackOff after restarts");
        var container = pod!.Status.ContainerStatuses.Single();
        Assert.Equal((1, "Error"), (container.LastState.Terminated.ExitCode, container.LastState.Terminated.Reason));
        Assert.False(container.Ready);
        var backOff = await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "reason=BackOff", cancellationToken: Ct);
        Assert.NotEmpty(backOff.Items);
        Assert.Null((await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct)).Status.AvailableReplicas);

        fixture.Cluster.Faults.CrashLoop(ns, "web", crash: false);
        await Eventually.WaitAsync(() => Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct), d => d.Status?.AvailableReplicas == 1, "recovery");
    }

    [Fact]
    public async Task AdminEndpoint_SwitchesFaultsOverHttp()
    {
        var ns = await fixture.NewNamespaceAsync();
        var http = ((k8s.Kubernetes)Client).HttpClient;
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(fixture.Cluster.BaseUri, "/_simulator/faults"))
        {
            Content = new StringContent($"{{\"type\":\"fail\",\"status\":503,\"count\":1,\"verb\":\"get\",\"resource\":\"namespaces\"}}", new MediaTypeHeaderValue("application/json")),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", fixture.Cluster.Token);
        using var response = await http.SendAsync(request, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("\"remaining\":1", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, e.Response.StatusCode);
        Assert.Equal(ns, (await Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Ct)).Metadata.Name);
    }
}
