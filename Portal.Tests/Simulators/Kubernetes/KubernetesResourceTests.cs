using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>Create, get, list, patch, delete of every kind the simulator serves, and the API server's errors.</summary>
public sealed class KubernetesResourceTests(KubernetesSimulatorFixture fixture) : IClassFixture<KubernetesSimulatorFixture>
{
    private IKubernetes Client => fixture.Client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Kinds =>
    [
        "pods", "services", "secrets", "configmaps", "serviceaccounts", "resourcequotas", "limitranges", "events",
        "deployments", "replicasets", "networkpolicies", "ingresses", "horizontalpodautoscalers", "poddisruptionbudgets", "jobs",
    ];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task NamespacedKind_CreateGetListPatchDelete(string plural)
    {
        var ns = await fixture.NewNamespaceAsync(plural[..3]);
        var name = "sample";
        var labels = new Dictionary<string, string> { ["app"] = name };
        var meta = new V1ObjectMeta { Name = name, Labels = labels };
        var selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app"] = name } };
        switch (plural)
        {
            case "pods":
                await CrudAsync<V1Pod, V1PodList>("", "v1", plural, ns, new V1Pod
                {
                    Metadata = meta,
                    Spec = new V1PodSpec { Containers = [new V1Container { Name = "server", Image = "authsome/server:1.4.2" }] },
                });
                break;
            case "services":
                var service = Manifests.Service(name);
                service.Metadata.Labels = labels;
                await CrudAsync<V1Service, V1ServiceList>("", "v1", plural, ns, service);
                break;
            case "secrets":
                await CrudAsync<V1Secret, V1SecretList>("", "v1", plural, ns, new V1Secret { Metadata = meta, StringData = new Dictionary<string, string> { ["password"] = "s3cret" } });
                break;
            case "configmaps":
                await CrudAsync<V1ConfigMap, V1ConfigMapList>("", "v1", plural, ns, new V1ConfigMap { Metadata = meta, Data = new Dictionary<string, string> { ["LOG_LEVEL"] = "info" } });
                break;
            case "serviceaccounts":
                await CrudAsync<V1ServiceAccount, V1ServiceAccountList>("", "v1", plural, ns, new V1ServiceAccount { Metadata = meta });
                break;
            case "resourcequotas":
                await CrudAsync<V1ResourceQuota, V1ResourceQuotaList>("", "v1", plural, ns, new V1ResourceQuota
                {
                    Metadata = meta,
                    Spec = new V1ResourceQuotaSpec { Hard = new Dictionary<string, ResourceQuantity> { ["pods"] = new("10") } },
                });
                break;
            case "limitranges":
                await CrudAsync<V1LimitRange, V1LimitRangeList>("", "v1", plural, ns, new V1LimitRange
                {
                    Metadata = meta,
                    Spec = new V1LimitRangeSpec
                    {
                        Limits = [new V1LimitRangeItem { Type = "Container", DefaultProperty = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("500m") } }],
                    },
                });
                break;
            case "events":
                await CrudAsync<Corev1Event, Corev1EventList>("", "v1", plural, ns, new Corev1Event
                {
                    Metadata = meta,
                    InvolvedObject = new V1ObjectReference { Kind = "Pod", Name = "web-1", NamespaceProperty = ns },
                    Reason = "Provisioned",
                    Message = "application provisioned",
                    Type = "Normal",
                });
                break;
            case "deployments":
                var deployment = Manifests.Deployment(name, replicas: 1);
                await CrudAsync<V1Deployment, V1DeploymentList>("apps", "v1", plural, ns, deployment);
                break;
            case "replicasets":
                var template = Manifests.Deployment(name).Spec.Template;
                await CrudAsync<V1ReplicaSet, V1ReplicaSetList>("apps", "v1", plural, ns, new V1ReplicaSet
                {
                    Metadata = meta,
                    Spec = new V1ReplicaSetSpec { Replicas = 1, Selector = selector, Template = template },
                });
                break;
            case "networkpolicies":
                await CrudAsync<V1NetworkPolicy, V1NetworkPolicyList>("networking.k8s.io", "v1", plural, ns, new V1NetworkPolicy
                {
                    Metadata = meta,
                    Spec = new V1NetworkPolicySpec { PodSelector = selector, PolicyTypes = ["Ingress"], Ingress = [new V1NetworkPolicyIngressRule()] },
                });
                break;
            case "ingresses":
                await CrudAsync<V1Ingress, V1IngressList>("networking.k8s.io", "v1", plural, ns, new V1Ingress
                {
                    Metadata = meta,
                    Spec = new V1IngressSpec
                    {
                        Rules =
                        [
                            new V1IngressRule
                            {
                                Host = "acme.auth.example.com",
                                Http = new V1HTTPIngressRuleValue
                                {
                                    Paths = [new V1HTTPIngressPath { Path = "/", PathType = "Prefix", Backend = new V1IngressBackend { Service = new V1IngressServiceBackend { Name = name, Port = new V1ServiceBackendPort { Number = 80 } } } }],
                                },
                            },
                        ],
                    },
                });
                break;
            case "horizontalpodautoscalers":
                await CrudAsync<V2HorizontalPodAutoscaler, V2HorizontalPodAutoscalerList>("autoscaling", "v2", plural, ns, new V2HorizontalPodAutoscaler
                {
                    Metadata = meta,
                    Spec = new V2HorizontalPodAutoscalerSpec
                    {
                        ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = name },
                        MinReplicas = 2,
                        MaxReplicas = 5,
                    },
                });
                break;
            case "poddisruptionbudgets":
                await CrudAsync<V1PodDisruptionBudget, V1PodDisruptionBudgetList>("policy", "v1", plural, ns, new V1PodDisruptionBudget
                {
                    Metadata = meta,
                    Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = selector },
                });
                break;
            case "jobs":
                var job = Manifests.Job(name);
                job.Metadata.Labels = labels;
                await CrudAsync<V1Job, V1JobList>("batch", "v1", plural, ns, job);
                break;
            default:
                Assert.Fail($"no case for {plural}");
                break;
        }
    }

    // Through the client's GenericClient, which addresses any group, version and plural, with typed models.
    private async Task CrudAsync<T, TList>(string group, string version, string plural, string ns, T obj)
        where T : class, IKubernetesObject<V1ObjectMeta>
        where TList : class, IKubernetesObject<V1ListMeta>, IItems<T>
    {
        using var generic = new GenericClient(Client, group, version, plural, disposeClient: false);
        obj.Metadata.Labels ??= new Dictionary<string, string> { ["app"] = obj.Metadata.Name };
        var created = await generic.CreateNamespacedAsync(obj, ns, Ct);
        Assert.Equal(obj.Metadata.Name, created.Metadata.Name);
        Assert.False(string.IsNullOrEmpty(created.Metadata.Uid));
        Assert.NotNull(created.Metadata.CreationTimestamp);

        var read = await generic.ReadNamespacedAsync<T>(ns, obj.Metadata.Name, Ct);
        Assert.Equal(created.Metadata.Uid, read.Metadata.Uid);

        var listed = await generic.ListNamespacedAsync<TList>(ns, cancel: Ct);
        Assert.Contains(listed.Items, i => i.Metadata.Name == obj.Metadata.Name);

        var patch = new V1Patch(new { metadata = new { labels = new Dictionary<string, string> { ["tier"] = "gold" } } }, V1Patch.PatchType.MergePatch);
        var patched = await generic.PatchNamespacedAsync<T>(patch, ns, obj.Metadata.Name, Ct);
        Assert.Equal("gold", patched.Metadata.Labels["tier"]);
        Assert.True(long.Parse(patched.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture)
            > long.Parse(created.Metadata.ResourceVersion, System.Globalization.CultureInfo.InvariantCulture));

        // Pods and services answer a delete with the object, every other kind with a Status (as a real API server does).
        if (plural is "pods" or "services")
        {
            Assert.Equal(created.Metadata.Uid, (await generic.DeleteNamespacedAsync<T>(ns, obj.Metadata.Name, Ct)).Metadata.Uid);
        }
        else
        {
            Assert.Equal("Success", (await generic.DeleteNamespacedAsync<V1Status>(ns, obj.Metadata.Name, Ct)).Status);
        }

        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => generic.ReadNamespacedAsync<T>(ns, obj.Metadata.Name, Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
    }

    [Fact]
    public async Task Namespace_CreateGetListPatchDelete()
    {
        var created = await Client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = "tenant-crud" } }, cancellationToken: Ct);
        Assert.Equal("Active", created.Status.Phase);
        Assert.Equal("tenant-crud", (await Client.CoreV1.ReadNamespaceAsync("tenant-crud", cancellationToken: Ct)).Metadata.Labels["kubernetes.io/metadata.name"]);
        Assert.Contains((await Client.CoreV1.ListNamespaceAsync(cancellationToken: Ct)).Items, n => n.Metadata.Name == "tenant-crud");
        var patched = await Client.CoreV1.PatchNamespaceAsync(new V1Patch("{\"metadata\":{\"labels\":{\"workspace\":\"w1\"}}}", V1Patch.PatchType.StrategicMergePatch), "tenant-crud", cancellationToken: Ct);
        Assert.Equal("w1", patched.Metadata.Labels["workspace"]);
        var deleted = await Client.CoreV1.DeleteNamespaceAsync("tenant-crud", cancellationToken: Ct);
        Assert.Equal("Terminating", (await Client.CoreV1.ReadNamespaceAsync("tenant-crud", cancellationToken: Ct)).Status.Phase);
        Assert.NotNull(deleted);
    }

    [Fact]
    public async Task Create_Duplicate_Is409AlreadyExists()
    {
        var ns = await fixture.NewNamespaceAsync();
        var configMap = new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "settings" } };
        await Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns, cancellationToken: Ct);

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.CreateNamespacedConfigMapAsync(configMap, ns, cancellationToken: Ct));

        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal(HttpStatusCode.Conflict, e.Response.StatusCode);
        Assert.Equal(("Status", "Failure", "AlreadyExists", 409), (status.Kind, status.Status, status.Reason, status.Code));
        Assert.Equal("configmaps \"settings\" already exists", status.Message);
        Assert.Equal(("settings", "configmaps"), (status.Details.Name, status.Details.Kind));
    }

    [Fact]
    public async Task Replace_WithStaleResourceVersion_Is409Conflict()
    {
        var ns = await fixture.NewNamespaceAsync();
        var first = await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 0), ns, cancellationToken: Ct);
        var second = await Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct);
        second.Spec.Template.Metadata.Annotations = new Dictionary<string, string> { ["config-hash"] = "a" };
        var updated = await Client.AppsV1.ReplaceNamespacedDeploymentAsync(second, "web", ns, cancellationToken: Ct);
        Assert.Equal(2, updated.Metadata.Generation);

        first.Spec.Replicas = 3;
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.ReplaceNamespacedDeploymentAsync(first, "web", ns, cancellationToken: Ct));

        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal((409, "Conflict"), (status.Code, status.Reason));
        Assert.Equal("Operation cannot be fulfilled on deployments.apps \"web\": the object has been modified; please apply your changes to the latest version and try again", status.Message);
        Assert.Equal("apps", status.Details.Group);
    }

    [Fact]
    public async Task Update_WithoutChange_KeepsResourceVersion_AndMetadataChange_KeepsGeneration()
    {
        var ns = await fixture.NewNamespaceAsync();
        var settings = await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "s" }, Data = new Dictionary<string, string> { ["a"] = "1" } }, ns, cancellationToken: Ct);
        var same = await Client.CoreV1.ReplaceNamespacedConfigMapAsync(settings, "s", ns, cancellationToken: Ct);
        Assert.Equal(settings.Metadata.ResourceVersion, same.Metadata.ResourceVersion);

        var created = await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web", replicas: 0), ns, cancellationToken: Ct);
        Assert.Equal(1, created.Metadata.Generation);

        var labelled = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("{\"metadata\":{\"labels\":{\"x\":\"y\"}}}", V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        Assert.Equal(1, labelled.Metadata.Generation);
        Assert.NotEqual(created.Metadata.ResourceVersion, labelled.Metadata.ResourceVersion);
    }

    [Theory]
    [InlineData("Bad_Name", "metadata.name", "FieldValueInvalid")]
    [InlineData("", "metadata.name", "FieldValueRequired")]
    public async Task Create_InvalidName_Is422Invalid(string name, string field, string reason)
    {
        var ns = await fixture.NewNamespaceAsync();
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = name } }, ns, cancellationToken: Ct));

        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal((422, "Invalid"), (status.Code, status.Reason));
        Assert.Contains(status.Details.Causes, c => c.Field == field && c.Reason == reason);
        Assert.StartsWith($"Secret \"{name}\" is invalid: metadata.name", status.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_DeploymentWithoutSelectorOrImage_Is422WithEachField()
    {
        var ns = await fixture.NewNamespaceAsync();
        var deployment = Manifests.Deployment("web");
        deployment.Spec.Selector = null;
        deployment.Spec.Template.Spec.Containers[0].Image = null;

        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns, cancellationToken: Ct));

        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal(422, status.Code);
        Assert.Equal("Deployment.apps \"web\" is invalid: [spec.selector: Required value, spec.template.spec.containers[0].image: Required value]", status.Message);
    }

    [Fact]
    public async Task Get_Missing_Is404NotFound_WithStatusDetails()
    {
        var ns = await fixture.NewNamespaceAsync();
        var e = await Assert.ThrowsAsync<HttpOperationException>(() => Client.AppsV1.ReadNamespacedDeploymentAsync("nothing", ns, cancellationToken: Ct));
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal((404, "NotFound", "deployments.apps \"nothing\" not found"), (status.Code, status.Reason, status.Message));
    }

    [Fact]
    public async Task Create_InMissingNamespace_Is404ForTheNamespace()
    {
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap { Metadata = new V1ObjectMeta { Name = "x" } }, "no-such-namespace", cancellationToken: Ct));
        Assert.Equal("namespaces \"no-such-namespace\" not found", KubernetesJson.Deserialize<V1Status>(e.Response.Content).Message);
    }

    [Fact]
    public async Task List_WithLabelSelectors_FieldSelectors_AndPages()
    {
        var ns = await fixture.NewNamespaceAsync();
        foreach (var (name, tier) in new[] { ("a", "gold"), ("b", "silver"), ("c", "gold"), ("d", "bronze") })
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["tier"] = tier, ["managed-by"] = "portal" } },
            }, ns, cancellationToken: Ct);
        }

        async Task<string[]> Names(string? labels = null, string? fields = null) =>
            (await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: labels, fieldSelector: fields, cancellationToken: Ct))
                .Items.Select(i => i.Metadata.Name).Where(n => n != "kube-root-ca.crt").ToArray();

        Assert.Equal(["a", "c"], await Names("tier=gold"));
        Assert.Equal(["b", "d"], await Names("tier!=gold,managed-by=portal"));
        Assert.Equal(["b", "d"], await Names("tier in (silver, bronze)"));
        Assert.Equal(["a", "c"], await Names("tier notin (silver,bronze),managed-by"));
        Assert.Empty(await Names("!managed-by"));
        Assert.Equal(["b"], await Names(fields: "metadata.name=b"));

        var first = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "managed-by=portal", limit: 3, cancellationToken: Ct);
        Assert.Equal(3, first.Items.Count);
        Assert.Equal(1, first.Metadata.RemainingItemCount);
        var rest = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "managed-by=portal", limit: 3, continueParameter: first.Metadata.ContinueProperty, cancellationToken: Ct);
        Assert.Equal(["d"], rest.Items.Select(i => i.Metadata.Name));
        Assert.Null(rest.Metadata.ContinueProperty);

        var bad = await Assert.ThrowsAsync<HttpOperationException>(() => Client.CoreV1.ListNamespacedConfigMapAsync(ns, fieldSelector: "data.x=1", cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.BadRequest, bad.Response.StatusCode);
    }

    [Fact]
    public async Task ServerSideApply_TwiceIsNoOp_OtherManagerConflicts_UnlessForced()
    {
        var ns = await fixture.NewNamespaceAsync();
        var applied = Manifests.Deployment("web", replicas: 2);
        applied.ApiVersion = "apps/v1";
        applied.Kind = "Deployment";
        var patch = new V1Patch(applied, V1Patch.PatchType.ApplyPatch);

        await Client.AppsV1.PatchNamespacedDeploymentAsync(patch, "web", ns, fieldManager: "provisioning", force: true, cancellationToken: Ct);
        // The controllers write the status while the rollout goes on; the second apply comes once it is done.
        var first = await Eventually.WaitAsync(() => Client.AppsV1.ReadNamespacedDeploymentAsync("web", ns, cancellationToken: Ct),
            d => d.Status?.Conditions?.Any(c => c.Reason == "NewReplicaSetAvailable") == true, "a finished rollout");
        var second = await Client.AppsV1.PatchNamespacedDeploymentAsync(patch, "web", ns, fieldManager: "provisioning", force: true, cancellationToken: Ct);

        Assert.Equal(first.Metadata.ResourceVersion, second.Metadata.ResourceVersion);
        var entry = Assert.Single(second.Metadata.ManagedFields, m => m.Manager == "provisioning");
        Assert.Equal(("Apply", "FieldsV1"), (entry.Operation, entry.FieldsType));

        var scaleUp = new V1Patch(new { apiVersion = "apps/v1", kind = "Deployment", metadata = new { name = "web" }, spec = new { replicas = 5 } }, V1Patch.PatchType.ApplyPatch);
        var e = await Assert.ThrowsAsync<HttpOperationException>(() =>
            Client.AppsV1.PatchNamespacedDeploymentAsync(scaleUp, "web", ns, fieldManager: "autoscaler", cancellationToken: Ct));
        var status = KubernetesJson.Deserialize<V1Status>(e.Response.Content);
        Assert.Equal((409, "Conflict"), (status.Code, status.Reason));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"provisioning\" using apps/v1: .spec.replicas", status.Message);
        Assert.Equal((".spec.replicas", "FieldManagerConflict"), (status.Details.Causes[0].Field, status.Details.Causes[0].Reason));

        var forced = await Client.AppsV1.PatchNamespacedDeploymentAsync(scaleUp, "web", ns, fieldManager: "autoscaler", force: true, cancellationToken: Ct);
        Assert.Equal(5, forced.Spec.Replicas);
        Assert.Contains(forced.Metadata.ManagedFields, m => m.Manager == "autoscaler" && m.Operation == "Apply");
    }

    [Fact]
    public async Task ServerSideApply_FieldDroppedFromConfig_IsRemoved()
    {
        var ns = await fixture.NewNamespaceAsync();
        var body = new V1ConfigMap
        {
            ApiVersion = "v1",
            Kind = "ConfigMap",
            Metadata = new V1ObjectMeta { Name = "settings", Labels = new Dictionary<string, string> { ["a"] = "1", ["b"] = "2" } },
            Data = new Dictionary<string, string> { ["x"] = "1", ["y"] = "2" },
        };
        await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(body, V1Patch.PatchType.ApplyPatch), "settings", ns, fieldManager: "portal", cancellationToken: Ct);
        body.Metadata.Labels.Remove("b");
        body.Data.Remove("y");

        var result = await Client.CoreV1.PatchNamespacedConfigMapAsync(new V1Patch(body, V1Patch.PatchType.ApplyPatch), "settings", ns, fieldManager: "portal", cancellationToken: Ct);

        Assert.Equal(["a"], result.Metadata.Labels.Keys);
        Assert.Equal(["x"], result.Data.Keys);
    }

    [Fact]
    public async Task Patch_StrategicMerge_MergesContainersByName_JsonPatch_EditsByPath()
    {
        var ns = await fixture.NewNamespaceAsync();
        var deployment = Manifests.Deployment("web", replicas: 0);
        deployment.Spec.Template.Spec.Containers.Add(new V1Container { Name = "sidecar", Image = "envoy:1.30" });
        await Client.AppsV1.CreateNamespacedDeploymentAsync(deployment, ns, cancellationToken: Ct);

        var strategic = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"server\",\"image\":\"authsome/server:1.5.0\"}]}}}}";
        var merged = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(strategic, V1Patch.PatchType.StrategicMergePatch), "web", ns, cancellationToken: Ct);
        Assert.Equal(["authsome/server:1.5.0", "envoy:1.30"], merged.Spec.Template.Spec.Containers.Select(c => c.Image));
        Assert.Equal(2, merged.Metadata.Generation);

        var jsonPatch = "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3},{\"op\":\"remove\",\"path\":\"/spec/template/spec/containers/1\"}]";
        var edited = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(jsonPatch, V1Patch.PatchType.JsonPatch), "web", ns, cancellationToken: Ct);
        Assert.Equal(3, edited.Spec.Replicas);
        Assert.Single(edited.Spec.Template.Spec.Containers);

        var merge = "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"only\",\"image\":\"busybox:1.36\"}]}}}}";
        var replaced = await Client.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch(merge, V1Patch.PatchType.MergePatch), "web", ns, cancellationToken: Ct);
        Assert.Equal(["only"], replaced.Spec.Template.Spec.Containers.Select(c => c.Name));
    }

    [Fact]
    public async Task DeleteCollection_RemovesWhatTheSelectorMatches()
    {
        var ns = await fixture.NewNamespaceAsync();
        foreach (var (name, app) in new[] { ("a", "web"), ("b", "web"), ("c", "api") })
        {
            await Client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
            {
                Metadata = new V1ObjectMeta { Name = name, Labels = new Dictionary<string, string> { ["app"] = app } },
            }, ns, cancellationToken: Ct);
        }

        await Client.CoreV1.DeleteCollectionNamespacedConfigMapAsync(ns, labelSelector: "app=web", cancellationToken: Ct);

        var left = await Client.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: "app", cancellationToken: Ct);
        Assert.Equal(["c"], left.Items.Select(i => i.Metadata.Name));
    }

    [Fact]
    public async Task Secret_StringData_IsStoredAsData()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.CoreV1.CreateNamespacedSecretAsync(new V1Secret { Metadata = new V1ObjectMeta { Name = "db" }, StringData = new Dictionary<string, string> { ["password"] = "pw" } }, ns, cancellationToken: Ct);
        var secret = await Client.CoreV1.ReadNamespacedSecretAsync("db", ns, cancellationToken: Ct);
        Assert.Equal("pw", System.Text.Encoding.UTF8.GetString(secret.Data["password"]));
        Assert.Null(secret.StringData);
        Assert.Equal("Opaque", secret.Type);
    }

    [Fact]
    public async Task Delete_Deployment_RemovesItsReplicaSetsAndPods_OrphanKeepsThem()
    {
        var ns = await fixture.NewNamespaceAsync();
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("web"), ns, cancellationToken: Ct);
        await Client.AppsV1.CreateNamespacedDeploymentAsync(Manifests.Deployment("api"), ns, cancellationToken: Ct);
        await Eventually.WaitAsync(() => Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct), p => p.Items.Count == 4, "four pods");

        await Client.AppsV1.DeleteNamespacedDeploymentAsync("web", ns, propagationPolicy: "Foreground", cancellationToken: Ct);
        await Client.AppsV1.DeleteNamespacedDeploymentAsync("api", ns, propagationPolicy: "Orphan", cancellationToken: Ct);

        var pods = await Client.CoreV1.ListNamespacedPodAsync(ns, cancellationToken: Ct);
        Assert.All(pods.Items, p => Assert.StartsWith("api-", p.Metadata.Name, StringComparison.Ordinal));
        var replicaSets = await Client.AppsV1.ListNamespacedReplicaSetAsync(ns, cancellationToken: Ct);
        var orphan = Assert.Single(replicaSets.Items);
        Assert.Null(orphan.Metadata.OwnerReferences);
    }

    [Fact]
    public async Task Discovery_ParsesWithTheClient_AndEveryResourceListsGenerically()
    {
        var version = await Client.Version.GetCodeAsync(Ct);
        Assert.Equal("1", version.Major);
        var core = await Client.Core.GetAPIVersionsAsync(Ct);
        Assert.Equal(["v1"], core.Versions);
        var groups = await Client.Apis.GetAPIVersionsAsync(Ct);
        Assert.Equal(["apps", "networking.k8s.io", "autoscaling", "policy", "batch"], groups.Groups.Select(g => g.Name));
        var coreResources = await Client.CoreV1.GetAPIResourcesAsync(Ct);
        Assert.Contains(coreResources.Resources, r => r.Name == "pods/log" && r.Verbs.SequenceEqual(["get"]));
        Assert.Contains(coreResources.Resources, r => r.Name == "namespaces" && !r.Namespaced && r.Kind == "Namespace");

        var apps = await Client.AppsV1.GetAPIResourcesAsync(Ct);
        Assert.Contains(apps.Resources, r => r.Name == "deployments/scale" && r.Group == "autoscaling" && r.Kind == "Scale");

        // A generic client finds every listable resource from discovery alone.
        var ns = await fixture.NewNamespaceAsync();
        foreach (var group in groups.Groups)
        {
            var resources = await Client.CustomObjects.GetAPIResourcesAsync(group.Name, group.PreferredVersion.Version, Ct);
            foreach (var resource in resources.Resources.Where(r => !r.Name.Contains('/', StringComparison.Ordinal) && r.Verbs.Contains("list")))
            {
                var list = await Client.CustomObjects.ListNamespacedCustomObjectAsync<object>(group.Name, group.PreferredVersion.Version, ns, resource.Name, cancellationToken: Ct);
                Assert.NotNull(list);
            }
        }
    }

    [Fact]
    public async Task Kubeconfig_WithCaAndToken_ConnectsThroughBuildConfigFromConfigFile()
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Cluster.KubeconfigPath);
        Assert.StartsWith("https://127.0.0.1:", config.Host, StringComparison.Ordinal);
        Assert.NotNull(config.SslCaCerts);
        Assert.False(config.SkipTlsVerify);
        using var client = new k8s.Kubernetes(config);
        var namespaces = await client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.Contains(namespaces.Items, n => n.Metadata.Name == "default");
    }

    [Fact]
    public async Task WrongToken_Is401_NoToken_Is403()
    {
        var config = KubernetesClientConfiguration.BuildConfigFromConfigFile(fixture.Cluster.KubeconfigPath);
        config.AccessToken = "not-the-token";
        using var wrong = new k8s.Kubernetes(config);
        var unauthorized = await Assert.ThrowsAsync<HttpOperationException>(() => wrong.CoreV1.ListNamespaceAsync(cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Unauthorized, unauthorized.Response.StatusCode);

        config.AccessToken = null;
        using var anonymous = new k8s.Kubernetes(config);
        var forbidden = await Assert.ThrowsAsync<HttpOperationException>(() => anonymous.CoreV1.ListNamespaceAsync(cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.Forbidden, forbidden.Response.StatusCode);
        Assert.Equal("Forbidden", KubernetesJson.Deserialize<V1Status>(forbidden.Response.Content).Reason);
    }
}
