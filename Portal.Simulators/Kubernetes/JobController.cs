using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>Runs a job's pods until enough succeed (Complete) or too many fail (Failed, BackoffLimitExceeded).</summary>
internal sealed class JobController(ClusterApi api, EventRecorder events)
{
    private const string Component = "job-controller";

    public void Sync(string ns, string name)
    {
        var job = api.Store.Get(ResourceTypes.Jobs, ns, name);
        if (job is null || job.Object.IsBeingDeleted() || Finished(job.Object))
        {
            return;
        }

        var now = api.Now;
        var pods = api.Store.List(ResourceTypes.Pods, ns).Where(p => p.Object.IsOwnedBy(job.Uid)).ToList();
        var succeeded = pods.Count(p => p.Object.String("status", "phase") == "Succeeded");
        var failed = pods.Count(p => p.Object.String("status", "phase") == "Failed");
        var active = pods.Where(p => p.Object.String("status", "phase") is not ("Succeeded" or "Failed") && !p.Object.IsBeingDeleted()).ToList();
        var completions = job.Object.Long("spec", "completions") ?? 1;
        var parallelism = job.Object.Long("spec", "parallelism") ?? 1;
        var backoffLimit = job.Object.Long("spec", "backoffLimit") ?? 6;
        var complete = succeeded >= completions;
        var failedOut = !complete && failed > backoffLimit;
        if (failedOut)
        {
            foreach (var pod in active)
            {
                api.Delete(ResourceTypes.Pods, ns, pod.Name, DeleteOptions.Default);
            }

            active.Clear();
        }
        else if (!complete && job.Object.Bool("spec", "suspend") != true)
        {
            var wanted = Math.Min(parallelism, completions - succeeded) - active.Count;
            for (var i = 0; i < wanted; i++)
            {
                var pod = api.Create(ResourceTypes.Pods, ns, NewPod(job), "kube-controller-manager");
                active.Add(pod);
                events.Normal(job, "SuccessfulCreate", $"Created pod: {pod.Name}", Component);
            }
        }

        job = api.Store.Get(ResourceTypes.Jobs, ns, name)!;
        var updated = job.Object.Clone();
        var status = updated.Ensure("status");
        status["startTime"] ??= Json.Timestamp(now);
        status["active"] = active.Count;
        status["ready"] = active.Count(ReplicaSetController.IsReady);
        status["terminating"] = 0;
        status["uncountedTerminatedPods"] ??= new JsonObject();
        if (succeeded > 0)
        {
            status["succeeded"] = succeeded;
        }

        if (failed > 0)
        {
            status["failed"] = failed;
        }

        if (complete)
        {
            Json.SetCondition(status, "SuccessCriteriaMet", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
            Json.SetCondition(status, "Complete", "True", "CompletionsReached", "Reached expected number of succeeded pods", now);
            status["completionTime"] = Json.Timestamp(now);
            events.Normal(job, "Completed", "Job completed", Component);
        }
        else if (failedOut)
        {
            Json.SetCondition(status, "FailureTarget", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
            Json.SetCondition(status, "Failed", "True", "BackoffLimitExceeded", "Job has reached the specified backoff limit", now);
            events.Warning(job, "BackoffLimitExceeded", "Job has reached the specified backoff limit", Component);
        }

        api.Commit(ResourceTypes.Jobs, job, updated, "kube-controller-manager", "status", appliedManagedFields: false);
    }

    private static bool Finished(JsonObject job) =>
        job.Array("status", "conditions")?.OfType<JsonObject>().Any(c => c.String("type") is "Complete" or "Failed" && c.String("status") == "True") == true;

    private static JsonObject NewPod(StoredObject job)
    {
        var template = job.Object.Object("spec", "template") ?? [];
        var metadata = template.Object("metadata")?.Clone() ?? [];
        metadata["generateName"] = job.Name + "-";
        metadata["ownerReferences"] = new JsonArray(Json.OwnerReference(job.Object, ResourceTypes.Jobs));
        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Pod",
            ["metadata"] = metadata,
            ["spec"] = template["spec"]?.DeepClone(),
        };
    }
}
