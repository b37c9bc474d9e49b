using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>Keeps the number of a replica set's pods at spec.replicas and reports them in its status.</summary>
internal sealed class ReplicaSetController(ClusterApi api, EventRecorder events, ClusterControllers queue)
{
    private const string Component = "replicaset-controller";

    public void Sync(string ns, string name)
    {
        var replicaSet = api.Store.Get(ResourceTypes.ReplicaSets, ns, name);
        if (replicaSet is null || replicaSet.Object.IsBeingDeleted())
        {
            return;
        }

        var desired = replicaSet.Object.Long("spec", "replicas") ?? 1;
        var pods = OwnedPods(replicaSet);
        JsonObject? failure = null;
        if (pods.Count < desired)
        {
            for (var i = pods.Count; i < desired; i++)
            {
                try
                {
                    var pod = api.Create(ResourceTypes.Pods, ns, NewPod(replicaSet), "kube-controller-manager");
                    events.Normal(replicaSet, "SuccessfulCreate", $"Created pod: {pod.Name}", Component);
                }
                catch (KubernetesApiException e)
                {
                    events.Warning(replicaSet, "FailedCreate", $"Error creating: {e.Message}", Component);
                    failure = new JsonObject { ["reason"] = "FailedCreate", ["message"] = e.Message };
                    // The real controller retries with back-off; quota or namespace state may change meanwhile.
                    queue.EnqueueAfter(new WorkItem("ReplicaSet", ns, name), TimeSpan.FromSeconds(1));
                    break;
                }
            }
        }
        else if (pods.Count > desired)
        {
            // Not-ready and newest pods go first, as the real controller ranks them.
            foreach (var pod in pods.OrderBy(IsReady).ThenByDescending(p => p.ResourceVersion).Take((int)(pods.Count - desired)))
            {
                api.Delete(ResourceTypes.Pods, ns, pod.Name, DeleteOptions.Default);
                events.Normal(replicaSet, "SuccessfulDelete", $"Deleted pod: {pod.Name}", Component);
            }
        }

        pods = OwnedPods(replicaSet);
        replicaSet = api.Store.Get(ResourceTypes.ReplicaSets, ns, name)!;
        var updated = replicaSet.Object.Clone();
        var status = updated.Ensure("status");
        var ready = pods.Count(IsReady);
        status["replicas"] = pods.Count;
        status["fullyLabeledReplicas"] = pods.Count;
        status["readyReplicas"] = ready;
        status["availableReplicas"] = ready;
        status["observedGeneration"] = replicaSet.Object.Long("metadata", "generation") ?? 1;
        if (failure is not null)
        {
            Json.SetCondition(status, "ReplicaFailure", "True", "FailedCreate", failure.String("message") ?? "", api.Now);
        }
        else if (status["conditions"] is JsonArray conditions)
        {
            foreach (var condition in conditions.OfType<JsonObject>().Where(c => c.String("type") == "ReplicaFailure").ToList())
            {
                conditions.Remove(condition);
            }

            if (conditions.Count == 0)
            {
                status.Remove("conditions");
            }
        }

        api.Commit(ResourceTypes.ReplicaSets, replicaSet, updated, "kube-controller-manager", "status", appliedManagedFields: false);
    }

    public static bool IsReady(StoredObject pod) =>
        pod.Object.Array("status", "conditions")?.OfType<JsonObject>().Any(c => c.String("type") == "Ready" && c.String("status") == "True") == true;

    private List<StoredObject> OwnedPods(StoredObject owner) =>
        api.Store.List(ResourceTypes.Pods, owner.Namespace)
            .Where(p => p.Object.IsOwnedBy(owner.Uid) && !p.Object.IsBeingDeleted() && p.Object.String("status", "phase") is not ("Succeeded" or "Failed"))
            .ToList();

    private static JsonObject NewPod(StoredObject replicaSet)
    {
        var template = replicaSet.Object.Object("spec", "template") ?? [];
        var metadata = template.Object("metadata")?.Clone() ?? [];
        metadata.Remove("name");
        metadata.Remove("creationTimestamp");
        metadata["generateName"] = replicaSet.Name + "-";
        metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(replicaSet.Object, ResourceTypes.ReplicaSets));
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone(),
        };
    }
}
