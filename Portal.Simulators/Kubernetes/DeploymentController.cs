using System.Globalization;
using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// Rolls a deployment out: one replica set per pod template (named by the template's hash), scaled up and the old
/// ones down within maxSurge and maxUnavailable (or all at once for Recreate), with the status and the Available
/// and Progressing conditions that "wait for rollout" code reads, ProgressDeadlineExceeded included.
/// </summary>
internal sealed class DeploymentController(ClusterApi api, EventRecorder events, ClusterControllers queue)
{
    private const string Component = "deployment-controller";
    private const string Manager = "kube-controller-manager";
    private const string RevisionAnnotation = "deployment.kubernetes.io/revision";
    private const string HashLabel = "pod-template-hash";

    private static readonly string[] Counts = ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"];

    public void Sync(string ns, string name)
    {
        var deployment = api.Store.Get(ResourceTypes.Deployments, ns, name);
        if (deployment is null || deployment.Object.IsBeingDeleted())
        {
            return;
        }

        var now = api.Now;
        var spec = deployment.Object.Object("spec")!;
        var desired = spec.Long("replicas") ?? 1;
        var hash = TemplateHash(spec.Object("template"));
        var owned = ReplicaSets(deployment);
        var newReplicaSet = owned.FirstOrDefault(rs => rs.Object.Label(HashLabel) == hash);
        var old = owned.Where(rs => rs != newReplicaSet).OrderBy(rs => Revision(rs)).ToList();
        var recreate = spec.String("strategy", "type") == "Recreate";
        var createdNew = false;
        var paused = spec.Bool("paused") == true;
        if (newReplicaSet is null && !paused)
        {
            var revision = owned.Select(Revision).DefaultIfEmpty(0).Max() + 1;
            var replicas = recreate || old.Count > 0 ? 0 : desired;
            newReplicaSet = api.Create(ResourceTypes.ReplicaSets, ns, NewReplicaSet(deployment, hash, revision, replicas, desired), Manager);
            createdNew = true;
            if (replicas > 0)
            {
                events.Normal(deployment, "ScalingReplicaSet", $"Scaled up replica set {newReplicaSet.Name} from 0 to {replicas}", Component);
            }
        }
        else if (newReplicaSet is not null && old.Count > 0 && Revision(newReplicaSet) <= old.Max(Revision))
        {
            // Rolled back to an older template: its replica set becomes the newest revision again.
            newReplicaSet = Update(newReplicaSet, rs => rs.Metadata().Ensure("annotations")[RevisionAnnotation] = (old.Max(Revision) + 1).ToString(CultureInfo.InvariantCulture));
        }

        if (newReplicaSet is not null && !paused)
        {
            if (recreate)
            {
                RollRecreate(deployment, newReplicaSet, old, desired);
            }
            else
            {
                RollRolling(deployment, newReplicaSet, old, desired, spec);
            }

            CleanUp(deployment, old, spec.Long("revisionHistoryLimit") ?? 10);
        }

        deployment = api.Store.Get(ResourceTypes.Deployments, ns, name)!;
        UpdateStatus(deployment, ReplicaSets(deployment), hash, desired, createdNew, now);
    }

    private List<StoredObject> ReplicaSets(StoredObject deployment) =>
        api.Store.List(ResourceTypes.ReplicaSets, deployment.Namespace).Where(rs => rs.Object.IsOwnedBy(deployment.Uid) && !rs.Object.IsBeingDeleted()).ToList();

    private static long Revision(StoredObject replicaSet) =>
        long.TryParse(replicaSet.Object.String("metadata", "annotations", RevisionAnnotation), NumberStyles.Integer, CultureInfo.InvariantCulture, out var revision) ? revision : 0;

    private static long Replicas(StoredObject replicaSet) => replicaSet.Object.Long("spec", "replicas") ?? 0;

    private static long Available(StoredObject replicaSet) => replicaSet.Object.Long("status", "availableReplicas") ?? 0;

    private void RollRolling(StoredObject deployment, StoredObject newReplicaSet, List<StoredObject> old, long desired, JsonObject spec)
    {
        var maxSurge = Resolve(spec["strategy"]?["rollingUpdate"]?["maxSurge"], desired, roundUp: true);
        var maxUnavailable = Resolve(spec["strategy"]?["rollingUpdate"]?["maxUnavailable"], desired, roundUp: false);
        if (maxSurge == 0 && maxUnavailable == 0)
        {
            maxUnavailable = 1;
        }

        var total = Replicas(newReplicaSet) + old.Sum(Replicas);
        var newReplicas = Replicas(newReplicaSet);
        if (newReplicas > desired)
        {
            newReplicaSet = Scale(deployment, newReplicaSet, desired);
        }
        else if (newReplicas < desired)
        {
            var up = Math.Min(desired + maxSurge - total, desired - newReplicas);
            if (up > 0)
            {
                newReplicaSet = Scale(deployment, newReplicaSet, newReplicas + up);
            }
        }

        total = Replicas(newReplicaSet) + old.Sum(Replicas);
        var minAvailable = desired - maxUnavailable;
        var newUnavailable = Math.Max(0, Replicas(newReplicaSet) - Available(newReplicaSet));
        var canScaleDown = total - minAvailable - newUnavailable;
        // Old pods that are not available cost nothing to remove: they go first.
        foreach (var replicaSet in old.Where(rs => Replicas(rs) > Available(rs)).ToList())
        {
            var unhealthy = Math.Min(Replicas(replicaSet) - Available(replicaSet), Math.Max(0, total - minAvailable - newUnavailable + (Replicas(replicaSet) - Available(replicaSet))));
            if (unhealthy > 0)
            {
                var scaled = Scale(deployment, replicaSet, Replicas(replicaSet) - unhealthy);
                old[old.IndexOf(replicaSet)] = scaled;
                total -= unhealthy;
            }
        }

        canScaleDown = total - minAvailable - newUnavailable;
        foreach (var replicaSet in old.ToList())
        {
            if (canScaleDown <= 0)
            {
                break;
            }

            var down = Math.Min(Replicas(replicaSet), canScaleDown);
            if (down > 0)
            {
                old[old.IndexOf(replicaSet)] = Scale(deployment, replicaSet, Replicas(replicaSet) - down);
                canScaleDown -= down;
            }
        }
    }

    private void RollRecreate(StoredObject deployment, StoredObject newReplicaSet, List<StoredObject> old, long desired)
    {
        foreach (var replicaSet in old.Where(rs => Replicas(rs) > 0).ToList())
        {
            Scale(deployment, replicaSet, 0);
        }

        var oldPodsLeft = api.Store.List(ResourceTypes.Pods, deployment.Namespace).Any(p => old.Any(rs => p.Object.IsOwnedBy(rs.Uid)));
        if (!oldPodsLeft && Replicas(newReplicaSet) != desired)
        {
            Scale(deployment, newReplicaSet, desired);
        }
    }

    private void CleanUp(StoredObject deployment, List<StoredObject> old, long keep)
    {
        var idle = old.Where(rs => Replicas(rs) == 0 && (rs.Object.Long("status", "replicas") ?? 0) == 0).OrderBy(Revision).ToList();
        foreach (var replicaSet in idle.Take(Math.Max(0, idle.Count - (int)keep)))
        {
            api.Delete(ResourceTypes.ReplicaSets, deployment.Namespace, replicaSet.Name, DeleteOptions.Default);
        }
    }

    private StoredObject Scale(StoredObject deployment, StoredObject replicaSet, long replicas)
    {
        var from = Replicas(replicaSet);
        if (from == replicas)
        {
            return replicaSet;
        }

        var scaled = Update(replicaSet, rs =>
        {
            rs.Ensure("spec")["replicas"] = replicas;
            rs.Metadata().Ensure("annotations")["deployment.kubernetes.io/desired-replicas"] = (deployment.Object.Long("spec", "replicas") ?? 1).ToString(CultureInfo.InvariantCulture);
        });
        events.Normal(deployment, "ScalingReplicaSet", $"Scaled {(replicas > from ? "up" : "down")} replica set {replicaSet.Name} from {from} to {replicas}", Component);
        return scaled;
    }

    private StoredObject Update(StoredObject obj, Action<JsonObject> change)
    {
        var updated = obj.Object.Clone();
        change(updated);
        return api.Commit(obj.Type, obj, updated, Manager, null, appliedManagedFields: false);
    }

    private static long Resolve(JsonNode? value, long desired, bool roundUp)
    {
        var text = value?.ToString() ?? "25%";
        if (text.EndsWith('%') && decimal.TryParse(text[..^1], NumberStyles.Number, CultureInfo.InvariantCulture, out var percent))
        {
            var exact = desired * percent / 100m;
            return (long)(roundUp ? Math.Ceiling(exact) : Math.Floor(exact));
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) ? number : 0;
    }

    private void UpdateStatus(StoredObject deployment, List<StoredObject> replicaSets, string hash, long desired, bool createdNew, DateTimeOffset now)
    {
        var newReplicaSet = replicaSets.FirstOrDefault(rs => rs.Object.Label(HashLabel) == hash);
        var spec = deployment.Object.Object("spec")!;
        var maxUnavailable = spec.String("strategy", "type") == "Recreate" ? desired : Resolve(spec["strategy"]?["rollingUpdate"]?["maxUnavailable"], desired, roundUp: false);
        var replicas = replicaSets.Sum(rs => rs.Object.Long("status", "replicas") ?? 0);
        var updatedReplicas = newReplicaSet?.Object.Long("status", "replicas") ?? 0;
        var ready = replicaSets.Sum(rs => rs.Object.Long("status", "readyReplicas") ?? 0);
        var available = replicaSets.Sum(Available);
        var total = replicaSets.Sum(Replicas);
        var generation = deployment.Object.Long("metadata", "generation") ?? 1;
        var complete = newReplicaSet is not null && updatedReplicas == desired && replicas == desired && available == desired && Available(newReplicaSet) == desired;

        var updated = deployment.Object.Clone();
        var previous = deployment.Object.Object("status");
        var status = updated.Ensure("status");
        status["observedGeneration"] = generation;
        status["replicas"] = replicas;
        status["updatedReplicas"] = updatedReplicas;
        status["readyReplicas"] = ready;
        status["availableReplicas"] = available;
        if (total - available > 0)
        {
            status["unavailableReplicas"] = total - available;
        }
        else
        {
            status.Remove("unavailableReplicas");
        }

        foreach (var zero in Counts)
        {
            if (status.Long(zero) == 0)
            {
                status.Remove(zero);
            }
        }

        if (available >= desired - maxUnavailable)
        {
            Json.SetCondition(status, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.", now, withUpdateTime: true);
        }
        else
        {
            Json.SetCondition(status, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", now, withUpdateTime: true);
        }

        var rsName = newReplicaSet?.Name ?? "";
        var progressed = previous is null
            || Counts.Any(f => (previous.Long(f) ?? 0) != (status.Long(f) ?? 0))
            || previous.Long("observedGeneration") != generation;
        var progressing = status.Array("conditions")?.OfType<JsonObject>().FirstOrDefault(c => c.String("type") == "Progressing");
        var deadline = spec.Long("progressDeadlineSeconds") ?? 600;
        if (complete)
        {
            Json.SetCondition(status, "Progressing", "True", "NewReplicaSetAvailable", $"ReplicaSet \"{rsName}\" has successfully progressed.", now, withUpdateTime: true);
        }
        else if (createdNew)
        {
            Json.SetCondition(status, "Progressing", "True", "NewReplicaSetCreated", $"Created new replica set \"{rsName}\"", now, withUpdateTime: true);
            queue.EnqueueAfter(new WorkItem("Deployment", deployment.Namespace, deployment.Name), TimeSpan.FromSeconds(deadline + 1));
        }
        else if (progressed || progressing is null || progressing.String("reason") == "NewReplicaSetAvailable")
        {
            Json.SetCondition(status, "Progressing", "True", "ReplicaSetUpdated", $"ReplicaSet \"{rsName}\" is progressing.", now, withUpdateTime: true);
            queue.EnqueueAfter(new WorkItem("Deployment", deployment.Namespace, deployment.Name), TimeSpan.FromSeconds(deadline + 1));
        }
        else if (progressing.String("status") == "True"
                 && Json.ParseTimestamp(progressing.String("lastUpdateTime")) is { } since && now - since > TimeSpan.FromSeconds(deadline))
        {
            Json.SetCondition(status, "Progressing", "False", "ProgressDeadlineExceeded", $"ReplicaSet \"{rsName}\" has timed out progressing.", now, withUpdateTime: true);
            events.Warning(deployment, "ProgressDeadlineExceeded", $"ReplicaSet \"{rsName}\" has timed out progressing.", Component);
        }
        else if (progressing.String("status") == "True" && Json.ParseTimestamp(progressing.String("lastUpdateTime")) is { } last)
        {
            queue.EnqueueAfter(new WorkItem("Deployment", deployment.Namespace, deployment.Name), last + TimeSpan.FromSeconds(deadline + 1) - now);
        }

        if (newReplicaSet?.Object.Array("status", "conditions")?.OfType<JsonObject>().FirstOrDefault(c => c.String("type") == "ReplicaFailure") is { } failure)
        {
            Json.SetCondition(status, "ReplicaFailure", "True", "FailedCreate", failure.String("message") ?? "", now, withUpdateTime: true);
        }
        else if (status["conditions"] is JsonArray conditions)
        {
            foreach (var condition in conditions.OfType<JsonObject>().Where(c => c.String("type") == "ReplicaFailure").ToList())
            {
                conditions.Remove(condition);
            }
        }

        api.Commit(ResourceTypes.Deployments, deployment, updated, Manager, "status", appliedManagedFields: false);
    }

    private static JsonObject NewReplicaSet(StoredObject deployment, string hash, long revision, long replicas, long desired)
    {
        var template = deployment.Object.Object("spec", "template")!.Clone();
        template.Ensure("metadata", "labels")[HashLabel] = hash;
        var selector = deployment.Object.Object("spec", "selector")!.Clone();
        selector.Ensure("matchLabels")[HashLabel] = hash;
        var labels = template.Object("metadata", "labels")!.Clone();
        var annotations = new JsonObject
        {
            ["deployment.kubernetes.io/desired-replicas"] = desired.ToString(CultureInfo.InvariantCulture),
            ["deployment.kubernetes.io/max-replicas"] = (desired + 1).ToString(CultureInfo.InvariantCulture),
            [RevisionAnnotation] = revision.ToString(CultureInfo.InvariantCulture),
        };
        return new JsonObject
        {
            ["apiVersion"] = "apps/v1",
            ["kind"] = "ReplicaSet",
            ["metadata"] = new JsonObject
            {
                ["name"] = $"{deployment.Name}-{hash}",
                ["labels"] = labels,
                ["annotations"] = annotations,
                ["ownerReferences"] = new JsonArray(Json.OwnerReference(deployment.Object, ResourceTypes.Deployments)),
            },
            ["spec"] = new JsonObject
            {
                ["replicas"] = replicas,
                ["selector"] = selector,
                ["template"] = template,
            },
        };
    }

    /// <summary>A short name-safe hash of the pod template, as the controller's pod-template-hash label.</summary>
    public static string TemplateHash(JsonObject? template)
    {
        const string alphabet = "bcdfghjklmnpqrstvwxz2456789";
        var hash = 2166136261u;
        foreach (var b in Json.Serialize(template ?? []))
        {
            hash = (hash ^ b) * 16777619u;
        }

        var chars = new char[10];
        var value = (ulong)hash * 2654435761UL;
        for (var i = 0; i < chars.Length; i++)
        {
            chars[i] = alphabet[(int)(value % (ulong)alphabet.Length)];
            value /= (ulong)alphabet.Length;
            if (value == 0)
            {
                value = hash + (ulong)i * 7919;
            }
        }

        return new string(chars);
    }
}
