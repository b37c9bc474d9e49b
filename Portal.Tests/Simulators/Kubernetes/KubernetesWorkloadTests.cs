using System.Net;
using System.Threading.Channels;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>What the simulated controllers and kubelet do: rollouts, scaling, jobs, namespace deletion, quotas, logs, watches.</summary>
public sealed class KubernetesWorkloadTests(KubernetesSimulatorFixture fixture) : IClassFixture<KubernetesSimulatorFixture>
{
    private IKubernetes Client => fixture.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private Task<V1Deployment> WaitForRolloutAsync(string ns, string name, int replicas, long generation) =>
        Eventually.WaitAsync(() => Client.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: Ct),
            d => d.Status?.ObservedGeneration >= generation && d.Status.UpdatedReplicas == replicas && d.Status.AvailableReplicas == replicas
                 && (d.Status.Replicas ?? 0) == replicas && d.Status.Conditions.Any(c => c.Type == "Progressing" && c.Reason == "NewReplicaSetAvailable"),
            $"deployment {name} rolled out with {replicas} replicas");

    [Fact]
    public async Task Deployment_PodsGoPendingRunningReady_AndStatusFollows()
    {
        var ns = await fixture.NewNamespaceAsync();
        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web"), ns, cancellationToken: Ct);
        Assert.Null(created.Status);

        var deployment = await WaitForRolloutAsync(ns, "web", 2, 1);

        Assert.Equal(2, deployment.Status.ReadyReplicas);
        Assert.Contains(deployment.Status.Conditions, c => c.Type == "Available" && c.Status == "True" && c.Reason == "MinimumReplicasAvailable");
        var pods = await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=web", cancellationToken: Ct);
        Assert.All(pods.Items, pod =>
        {
            Assert.Equal("Running", pod.Status.Phase);
            Assert.Contains(pod.Status.Conditions, c => c.Type == "Ready" && c.Status == "True");
            Assert.True(pod.Status.ContainerStatuses.Single().Ready);
            Assert.Equal("ReplicaSet", pod.Metadata.OwnerReferences.Single().Kind);
        });
        var events = await Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: $"involvedObject.name={pods.Items[0].Metadata.Name}", cancellationToken: Ct);
        Assert.Equal(["Scheduled", "Pulling", "Pulled", "Created", "Started"], events.Items.Select(e => e.Reason));
    }

    [Fact]
    public async Task Watch_SeesAddedModifiedDeleted_ForARollout()
    {
        var ns = await fixture.NewNamespaceAsync();
        var list = await Client.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: Ct);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var seen = Channel.CreateUnbounded<(WatchEventType Type, V1Deployment Deployment)>();
        var watching = Task.Run(async () =>
        {
            await foreach (var change in Client.AppsV1.WatchListNamespacedDeploymentAsync(ns, resourceVersion: list.Metadata.ResourceVersion, cancellationToken: stop.Token))
            {
                await seen.Writer.WriteAsync(change, stop.Token);
            }
        }, stop.Token);

        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web"), ns, cancellationToken: Ct);
        await NextAsync(seen, e => e.Type == WatchEventType.Added);
        await NextAsync(seen, e => e.Type == WatchEventType.Modified && e.Deployment.Status?.AvailableReplicas == 2);

        await RestartAsync(ns, "web");
        await NextAsync(seen, e => e.Type == WatchEventType.Modified && e.Deployment.Status?.ObservedGeneration == 2
                                   && e.Deployment.Status.UpdatedReplicas == 2 && e.Deployment.Status.AvailableReplicas == 2 && e.Deployment.Status.Replicas == 2);

        await Client.AppsV1.DeleteNamespacedDeploymentAsync("web", ns, cancellationToken: Ct);
        await NextAsync(seen, e => e.Type == WatchEventType.Deleted && e.Deployment.Metadata.Name == "web");
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => watching);
    }

    private static async Task<(WatchEventType Type, V1Deployment Deployment)> NextAsync(Channel<(WatchEventType Type, V1Deployment Deployment)> seen,
        Func<(WatchEventType Type, V1Deployment Deployment), bool> wanted)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        while (true)
        {
            var next = await seen.Reader.ReadAsync(deadline.Token);
            if (wanted(next))
            {
                return next;
            }
        }
    }

    private Task<V1Deployment> RestartAsync(string ns, string name) =>
        Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(
            $"{{\"spec\":{{\"template\":{{\"metadata\":{{\"annotations\":{{\"kubectl.kubernetes.io/restartedAt\":\"{DateTimeOffset.UtcNow:O}\"}}}}}}}}}}",
            V1Patch.PatchType.StrategicMergePatch), name, ns, cancellationToken: Ct);

    [Fact]
    public async Task TemplateChange_RollsEveryPod_ToANewReplicaSet()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 3), ns, cancellationToken: Ct);
        await WaitForRolloutAsync(ns, "web", 3, 1);
        var before = (await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct)).Items.Select(p => p.Metadata.Name).ToHashSet();

        var restarted = await RestartAsync(ns, "web");
        Assert.Equal(2, restarted.Metadata.Generation);
        await WaitForRolloutAsync(ns, "web", 3, 2);
        var after = await Eventually.WaitAsync(() => Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct), p => p.Items.Count == 3, "three pods");

        Assert.DoesNotContain(after.Items, p => before.Contains(p.Metadata.Name));
        var replicaSets = await Client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: Ct);
        Assert.Equal([0, 3], replicaSets.Items.Select(r => r.Spec.Replicas ?? 0).Order());
        var current = replicaSets.Items.Single(r => r.Spec.Replicas == 3);
        Assert.Equal("2", current.Metadata.Annotations["deployment.kubernetes.io/revision"]);
        Assert.All(after.Items, p => Assert.Equal(current.Metadata.Labels["pod-template-hash"], p.Metadata.Labels["pod-template-hash"]));
    }

    [Fact]
    public async Task Scale_ThroughTheScaleSubresource_ChangesPodCount()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 1), ns, cancellationToken: Ct);
        await WaitForRolloutAsync(ns, "web", 1, 1);

        var scale = await Client.AppsV1.ReadNamespacedDeploymentScaleAsync("web", ns, cancellationToken: Ct);
        Assert.Equal(("app=web", 1), (scale.Status.Selector, scale.Spec.Replicas));
        scale.Spec.Replicas = 4;
        await Client.AppsV1.ReplaceNamespacedDeploymentScaleAsync(scale, "web", ns, cancellationToken: Ct);
        await WaitForRolloutAsync(ns, "web", 4, 2);
        Assert.Equal(4, (await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=web", cancellationToken: Ct)).Items.Count);

        await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":0}}", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        await Eventually.WaitAsync(() => Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app=web", cancellationToken: Ct), p => p.Items.Count == 0, "no pods");
    }

    [Fact]
    public async Task Job_RunsToCompletion_OrFailsPastItsBackoffLimit()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.BatchV1.CreateNamespacedJobAsync(Manifests.Job("migrate"), ns, cancellationToken: Ct);
        await Client.BatchV1.CreateNamespacedJobAsync(Manifests.Job("broken", exitCode: 1, backoffLimit: 1), ns, cancellationToken: Ct);

        var done = await Eventually.WaitAsync(() => Client.BatchV1.ReadNamespacedJobAsync("migrate", ns, cancellationToken: Ct),
            j => j.Status?.Conditions?.Any(c => c.Type == "Complete" && c.Status == "True") == true, "job complete");
        Assert.Equal(1, done.Status.Succeeded);
        Assert.NotNull(done.Status.CompletionTime);

        var failed = await Eventually.WaitAsync(() => Client.BatchV1.ReadNamespacedJobAsync("broken", ns, cancellationToken: Ct),
            j => j.Status?.Conditions?.Any(c => c.Type == "Failed" && c.Status == "True") == true, "job failed");
        Assert.Equal(2, failed.Status.Failed);
        Assert.Equal("BackoffLimitExceeded", failed.Status.Conditions.Single(c => c.Type == "Failed").Reason);
        var pods = await Client.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "job-name=broken", cancellationToken: Ct);
        Assert.All(pods.Items, p => Assert.Equal("Failed", p.Status.Phase));
    }

    [Fact]
    public async Task NamespaceDeletion_IsTerminatingThenRemovesEverythingInIt()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web"), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedServiceAsync(Manifests.Service("web"), ns, cancellationToken: Ct);
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "db" } }, ns, cancellationToken: Ct);
        await WaitForRolloutAsync(ns, "web", 2, 1);

        await Client.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: Ct);
        var terminating = await Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Ct);
        Assert.Equal("Terminating", terminating.Status.Phase);
        Assert.NotNull(terminating.Metadata.DeletionTimestamp);
        var refused = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "late" } }, ns, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, refused.Response.StatusCode);
        Assert.Contains("because it is being terminated", KubernetesJson.Deserialize<V1Status>(refused.Response.Content).Message, StringComparison.Ordinal);

        await Eventually.WaitAsync(async () =>
        {
            try
            {
                await Client.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Ct);
                return false;
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                return true;
            }
        }, gone => gone, "namespace gone");
        Assert.Empty((await Client.CoreV1.ListPodForAllNamespacesAsync(fieldSelector: $"metadata.namespace={ns}", cancellationToken: Ct)).Items);
        Assert.Empty((await Client.AppsV1.ListNamespacedDeploymentAsync(ns, cancellationToken: Ct)).Items);
        Assert.Empty((await Client.CoreV1.ListNamespacedSecretAsync(ns, cancellationToken: Ct)).Items);
    }

    [Fact]
    public async Task Quota_RefusesThePodThatWouldExceedIt_WithTheApiServersMessage()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedResourceQuotaAsync(new V1ResourceQuota
        {
            Metadata = new V1ObjectMeta { Name = "plan" },
            Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["pods"] = new("2"), ["requests.cpu"] = new("1") } },
        }, ns, cancellationToken: Ct);
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 2), ns, cancellationToken: Ct);
        await WaitForRolloutAsync(ns, "web", 2, 1);

        var pod = new V1Pod
        {
            Metadata = new V1ObjectMeta { Name = "extra" },
            Spec = new V1PodSpec
            {
                Containers = [new V1Container { Name = "c", Image = "busybox:1.36", Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m") } } }],
            },
        };
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedPodAsync(pod, ns, cancellationToken: Ct));

        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal((403, "Forbidden"), (status.Code, status.Reason));
        Assert.Equal("pods \"extra\" is forbidden: exceeded quota: plan, requested: pods=1, used: pods=2, limited: pods=2", status.Message);

        var quota = await Eventually.WaitAsync(() => Client.CoreV1.ReadNamespacedResourceQuotaAsync("plan", ns, cancellationToken: Ct),
            q => q.Status?.Used?["pods"].ToString() == "2", "quota usage");
        Assert.Equal("200m", quota.Status.Used["requests.cpu"].ToString());

        var scaled = await Client.AppsV1.PatchNamespacedDeploymentScaleAsync(new V1Patch("{\"spec\":{\"replicas\":3}}", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        Assert.Equal(3, scaled.Spec.Replicas);
        await Eventually.WaitAsync(() => Client.CoreV1.ListNamespacedEventAsync(ns, fieldSelector: "reason=FailedCreate", cancellationToken: Ct),
            l => l.Items.Any(i => i.Message.Contains("exceeded quota: plan", StringComparison.Ordinal)), "a FailedCreate event");
    }

    [Fact]
    public async Task PodLog_TailsAndFollows()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 1), ns, cancellationToken: Ct);
        await WaitForRolloutAsync(ns, "web", 1, 1);
        var pod = (await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct)).Items.Single().Metadata.Name;
        await Eventually.WaitAsync(() => ReadLinesAsync(pod, ns, tailLines: 10), l => l.Count >= 3, "three log lines");

        var tail = await ReadLinesAsync(pod, ns, tailLines: 2, timestamps: true);
        Assert.Equal(2, tail.Count);
        Assert.All(tail, line => Assert.Matches("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{9}Z \\{\"ts\":", line));
        var all = await ReadLinesAsync(pod, ns);
        Assert.Contains("starting authsome server", all[0], StringComparison.Ordinal);

        using var follow = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        follow.CancelAfter(TimeSpan.FromSeconds(10));
        await using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, follow: true, tailLines: 1, cancellationToken: follow.Token);
        using var reader = new StreamReader(stream);
        var followed = new List<string>();
        while (followed.Count < 4)
        {
            followed.Add(await reader.ReadLineAsync(follow.Token) ?? throw new InvalidOperationException("the log stream ended"));
        }

        Assert.Equal(4, followed.Distinct().Count());
        Assert.All(followed, line => Assert.StartsWith("{\"ts\":", line, StringComparison.Ordinal));
    }

    private async Task<List<string>> ReadLinesAsync(string pod, string ns, int? tailLines = null, bool? timestamps = null)
    {
        await using var stream = await Client.CoreV1.ReadNamespacedPodLogAsync(pod, ns, tailLines: tailLines, timestamps: timestamps, cancellationToken: Ct);
        using var reader = new StreamReader(stream);
        var text = await reader.ReadToEndAsync(Ct);
        return text.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
    }

    [Fact]
    public async Task Watch_FromACompactedVersion_GetsExpired410()
    {
        var options = KubernetesSimulatorFixture.FastOptions();
        await using var simulator = await Portal.Simulators.Kubernetes.KubernetesSimulator.StartAsync(new Portal.Simulators.Kubernetes.KubernetesSimulatorOptions
        {
            WatchHistorySize = 16,
            PodStartDelay = options.PodStartDelay,
        }, Ct);
        using var client = simulator.Clusters[0].CreateClient();
        var start = await client.CoreV1.ListNamespacedConfigMapAsync("default", cancellationToken: Ct);
        for (var i = 0; i < 40; i++)
        {
            await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = $"c{i}" } }, "default", cancellationToken: Ct);
        }

        Exception? error = null;
        await foreach (var _ in client.CoreV1.WatchListNamespacedConfigMapAsync("default", resourceVersion: start.Metadata.ResourceVersion, onError: e => error = e, cancellationToken: Ct))
        {
            Assert.Fail("no event expected from a compacted version");
        }

        var expired = Assert.IsType<KubernetesException>(error);
        Assert.Equal((410, "Expired"), (expired.Status.Code, expired.Status.Reason));
    }

    [Fact]
    public async Task Watch_WithBookmarks_GetsThem()
    {
        var ns = await fixture.NewNamespaceAsync();
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        await foreach (var (type, pod) in Client.CoreV1.WatchListNamespacedPodAsync(ns, allowWatchBookmarks: true, cancellationToken: deadline.Token))
        {
            Assert.Equal(WatchEventType.Bookmark, type);
            Assert.False(string.IsNullOrEmpty(pod.Metadata.ResourceVersion));
            break;
        }
    }
}
