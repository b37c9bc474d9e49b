using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The defaults the API server fills in, for the fields our code reads back or compares: without them a pod template
/// read from the server would differ from the one sent, and apply/rollout logic that compares them would misbehave.
/// </summary>
internal static class ObjectDefaults
{
    public static void Apply(ResourceType type, JsonObject obj)
    {
        var spec = obj["spec"] as JsonObject;
        switch (type.Kind)
        {
            case "Namespace":
                obj.Metadata().Ensure("labels")["kubernetes.io/metadata.name"] = obj.Name();
                obj.Ensure("spec")["finalizers"] ??= new JsonArray("kubernetes");
                break;
            case "Pod":
                PodSpec(obj.Ensure("spec"));
                break;
            case "Deployment":
                spec = obj.Ensure("spec");
                spec["replicas"] ??= 1;
                spec["revisionHistoryLimit"] ??= 10;
                spec["progressDeadlineSeconds"] ??= 600;
                var strategy = spec.Ensure("strategy");
                strategy["type"] ??= "RollingUpdate";
                if (strategy.String("type") == "RollingUpdate")
                {
                    var rolling = strategy.Ensure("rollingUpdate");
                    rolling["maxUnavailable"] ??= "25%";
                    rolling["maxSurge"] ??= "25%";
                }

                PodSpec(spec.Ensure("template", "spec"));
                break;
            case "ReplicaSet":
                spec = obj.Ensure("spec");
                spec["replicas"] ??= 1;
                PodSpec(spec.Ensure("template", "spec"));
                break;
            case "Job":
                spec = obj.Ensure("spec");
                spec["parallelism"] ??= 1;
                spec["completions"] ??= 1;
                spec["backoffLimit"] ??= 6;
                spec["completionMode"] ??= "NonIndexed";
                spec["suspend"] ??= false;
                PodSpec(spec.Ensure("template", "spec"), restartPolicy: null);
                break;
            case "Service" when spec is not null:
                spec["type"] ??= "ClusterIP";
                spec["sessionAffinity"] ??= "None";
                if (spec.String("type") != "ExternalName")
                {
                    spec["ipFamilies"] ??= new JsonArray("IPv4");
                    spec["ipFamilyPolicy"] ??= "SingleStack";
                    spec["internalTrafficPolicy"] ??= "Cluster";
                }

                foreach (var port in spec.Array("ports")?.OfType<JsonObject>() ?? [])
                {
                    port["protocol"] ??= "TCP";
                    port["targetPort"] ??= port["port"]?.DeepClone();
                }

                break;
            case "Secret":
                obj["type"] ??= "Opaque";
                // stringData is write-only: the API server folds it into data.
                if (obj["stringData"] is JsonObject stringData)
                {
                    var data = obj.Ensure("data");
                    foreach (var (key, value) in stringData)
                    {
                        data[key] = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(value?.ToString() ?? ""));
                    }

                    obj.Remove("stringData");
                }

                break;
        }
    }

    private static void PodSpec(JsonObject spec, string? restartPolicy = "Always")
    {
        if (restartPolicy is not null)
        {
            spec["restartPolicy"] ??= restartPolicy;
        }

        spec["dnsPolicy"] ??= "ClusterFirst";
        spec["schedulerName"] ??= "default-scheduler";
        spec["terminationGracePeriodSeconds"] ??= 30;
        spec["securityContext"] ??= new JsonObject();
        foreach (var container in (spec.Array("initContainers") ?? []).Concat(spec.Array("containers") ?? []).OfType<JsonObject>())
        {
            var image = container.String("image") ?? "";
            var tagged = image.Contains('@', StringComparison.Ordinal) || (image.LastIndexOf(':') > image.LastIndexOf('/') && !image.EndsWith(":latest", StringComparison.Ordinal));
            container["imagePullPolicy"] ??= tagged ? "IfNotPresent" : "Always";
            container["terminationMessagePath"] ??= "/dev/termination-log";
            container["terminationMessagePolicy"] ??= "File";
            container["resources"] ??= new JsonObject();
            foreach (var port in container.Array("ports")?.OfType<JsonObject>() ?? [])
            {
                port["protocol"] ??= "TCP";
            }

            foreach (var probeName in new[] { "readinessProbe", "livenessProbe", "startupProbe" })
            {
                if (container[probeName] is JsonObject probe)
                {
                    probe["timeoutSeconds"] ??= 1;
                    probe["periodSeconds"] ??= 10;
                    probe["successThreshold"] ??= 1;
                    probe["failureThreshold"] ??= 3;
                    if (probe["httpGet"] is JsonObject httpGet)
                    {
                        httpGet["scheme"] ??= "HTTP";
                        httpGet["path"] ??= "/";
                    }
                }
            }
        }
    }
}
