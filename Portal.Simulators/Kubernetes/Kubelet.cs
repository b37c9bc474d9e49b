using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The scheduler and kubelet of the simulated cluster's single node: a pod is scheduled, its image pulled, its
/// containers started, and it becomes Ready after a delay or when its readiness probe answers on the configured
/// health endpoint. Faults make image pulls fail or containers crash-loop; job pods exit.
/// </summary>
internal sealed class Kubelet(ClusterApi api, KubernetesSimulatorOptions options, SimulatorFaults faults, EventRecorder events, ClusterControllers queue)
{
    public const string NodeName = "simulated-node-1";
    public const string ExitCodeAnnotation = "simulator.authsome.cloud/exit-code";
    private const string Component = "kubelet";

    private static readonly HttpClient Probes = new() { Timeout = TimeSpan.FromSeconds(2) };

    // When each pod may take its next step; kept in memory only (after a restart every pod is simply due).
    private readonly Dictionary<string, DateTimeOffset> _due = [];
    private readonly ConcurrentDictionary<string, ProbeState> _probes = new();
    private int _nextPodIp = 10;

    public void Forget(string uid) => _due.Remove(uid);

    public void Sync(string ns, string name)
    {
        var pod = api.Store.Get(ResourceTypes.Pods, ns, name);
        if (pod is null || pod.Object.IsBeingDeleted())
        {
            return;
        }

        var now = api.Now;
        if (_due.TryGetValue(pod.Uid, out var due) && now < due)
        {
            // Woken early (a change to the pod, or a timer a little ahead of the wall clock): look again when due.
            queue.EnqueueAfter(new WorkItem("Pod", ns, name), due - now + TimeSpan.FromMilliseconds(1));
            return;
        }

        _due.Remove(pod.Uid);
        var phase = pod.Object.String("status", "phase");
        if (phase is "Succeeded" or "Failed")
        {
            _probes.TryRemove(pod.Uid, out _);
            return;
        }

        if (pod.Object.String("spec", "nodeName") is null)
        {
            Schedule(pod, now);
        }
        else if (phase == "Pending")
        {
            Start(pod, now);
        }
        else
        {
            Run(pod, now);
        }
    }

    private void After(StoredObject pod, TimeSpan delay)
    {
        _due[pod.Uid] = api.Now + delay;
        queue.EnqueueAfter(new WorkItem("Pod", pod.Namespace, pod.Name), delay);
    }

    private StoredObject WriteStatus(StoredObject pod, Action<JsonObject> change)
    {
        var updated = pod.Object.Clone();
        change(updated.Ensure("status"));
        return api.Commit(ResourceTypes.Pods, pod, updated, Component, "status", appliedManagedFields: false);
    }

    private static IEnumerable<JsonObject> Containers(StoredObject pod) => pod.Object.Array("spec", "containers")?.OfType<JsonObject>() ?? [];

    private void Schedule(StoredObject pod, DateTimeOffset now)
    {
        var bound = pod.Object.Clone();
        bound.Ensure("spec")["nodeName"] = NodeName;
        pod = api.Commit(ResourceTypes.Pods, pod, bound, "kube-scheduler", null, appliedManagedFields: false);
        pod = WriteStatus(pod, status =>
        {
            status["phase"] = "Pending";
            Json.SetCondition(status, "PodScheduled", "True", "", "", now);
            Tidy(status);
            status["hostIP"] = "10.0.0.10";
            status["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = "10.0.0.10" });
            status["containerStatuses"] = new JsonArray(Containers(pod).Select(c => (JsonNode)ContainerStatus(c,
                new JsonObject { ["waiting"] = new JsonObject { ["reason"] = "ContainerCreating" } }, ready: false, restarts: 0)).ToArray());
        });
        events.Normal(pod, "Scheduled", $"Successfully assigned {pod.Namespace}/{pod.Name} to {NodeName}", "default-scheduler");
        foreach (var container in Containers(pod))
        {
            events.Normal(pod, "Pulling", $"Pulling image \"{container.String("image")}\"", Component);
        }

        After(pod, options.PodStartDelay);
    }

    // The API server reports condition fields it has, without empty reason/message.
    private static void Tidy(JsonObject status)
    {
        foreach (var condition in status.Array("conditions")?.OfType<JsonObject>() ?? [])
        {
            foreach (var key in new[] { "reason", "message" })
            {
                if (condition.String(key) is "")
                {
                    condition.Remove(key);
                }
            }

            condition["lastProbeTime"] ??= null;
        }
    }

    private static JsonObject ContainerStatus(JsonObject container, JsonObject state, bool ready, long restarts, JsonObject? lastState = null) => new()
    {
        ["name"] = container.String("name"),
        ["state"] = state,
        ["lastState"] = lastState ?? new JsonObject(),
        ["ready"] = ready,
        ["restartCount"] = restarts,
        ["image"] = container.String("image"),
        ["imageID"] = $"docker.io/library/{container.String("image")}@sha256:{Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(container.String("image") ?? "")))}",
        ["containerID"] = state.ContainsKey("waiting") ? null : $"containerd://{Guid.NewGuid():N}{Guid.NewGuid():N}",
        ["started"] = state.ContainsKey("running"),
    };

    private void Start(StoredObject pod, DateTimeOffset now)
    {
        if (faults.ImagePullsFail(pod.Namespace))
        {
            var first = pod.Object.Array("status", "containerStatuses")?.OfType<JsonObject>().FirstOrDefault()?.String("state", "waiting", "reason") != "ErrImagePull";
            var image = Containers(pod).First().String("image");
            var reason = first ? "ErrImagePull" : "ImagePullBackOff";
            var message = first
                ? $"failed to pull and unpack image \"{image}\": failed to resolve reference \"{image}\": not found"
                : $"Back-off pulling image \"{image}\"";
            pod = WriteStatus(pod, status =>
            {
                status["containerStatuses"] = new JsonArray(Containers(pod).Select(c => (JsonNode)ContainerStatus(c,
                    new JsonObject { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } }, ready: false, restarts: 0)).ToArray());
                Json.SetCondition(status, "Ready", "False", "ContainersNotReady", $"containers with unready status: [{string.Join(" ", Containers(pod).Select(c => c.String("name")))}]", now);
                Tidy(status);
            });
            if (first)
            {
                events.Warning(pod, "Failed", $"Failed to pull image \"{image}\": {message}", Component);
                events.Warning(pod, "Failed", "Error: ErrImagePull", Component);
            }
            else
            {
                events.Normal(pod, "BackOff", message, Component);
                events.Warning(pod, "Failed", "Error: ImagePullBackOff", Component);
            }

            After(pod, options.PodStartDelay);
            return;
        }

        var ip = Interlocked.Increment(ref _nextPodIp);
        pod = WriteStatus(pod, status =>
        {
            status["phase"] = "Running";
            var podIp = $"10.244.{(ip / 250) % 256}.{(ip % 250) + 2}";
            status["podIP"] = podIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = podIp });
            status["startTime"] = Json.Timestamp(now);
            status["containerStatuses"] = new JsonArray(Containers(pod).Select(c => (JsonNode)ContainerStatus(c,
                new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Json.Timestamp(now) } }, ready: false, restarts: 0)).ToArray());
            SetReadiness(status, pod, ready: false, now);
        });
        foreach (var container in Containers(pod))
        {
            events.Normal(pod, "Pulled", $"Successfully pulled image \"{container.String("image")}\" in 812ms (812ms including waiting). Image size: 24871913 bytes.", Component);
            events.Normal(pod, "Created", $"Created container: {container.String("name")}", Component);
            events.Normal(pod, "Started", $"Started container {container.String("name")}", Component);
        }

        After(pod, IsJobPod(pod) ? options.JobPodRunDuration : CrashLoops(pod) ? options.CrashLoopDelay : ReadinessWait(pod));
    }

    private TimeSpan ReadinessWait(StoredObject pod) => ProbeUrl(pod) is null ? options.PodReadyDelay : TimeSpan.Zero;

    private static bool IsJobPod(StoredObject pod) => pod.Object.String("spec", "restartPolicy") is "Never" or "OnFailure";

    private bool CrashLoops(StoredObject pod)
    {
        if (pod.Object.ControllerOf() is not { } owner || owner.String("kind") != "ReplicaSet")
        {
            return false;
        }

        var replicaSet = api.Store.Get(ResourceTypes.ReplicaSets, pod.Namespace, owner.String("name") ?? "");
        var deployment = replicaSet?.Object.ControllerOf()?.String("name");
        return faults.CrashLoops(pod.Namespace, deployment);
    }

    private static void SetReadiness(JsonObject status, StoredObject pod, bool ready, DateTimeOffset now)
    {
        var names = string.Join(" ", Containers(pod).Select(c => c.String("name")));
        Json.SetCondition(status, "PodReadyToStartContainers", "True", "", "", now);
        Json.SetCondition(status, "Initialized", "True", "", "", now);
        Json.SetCondition(status, "Ready", ready ? "True" : "False", ready ? "" : "ContainersNotReady", ready ? "" : $"containers with unready status: [{names}]", now);
        Json.SetCondition(status, "ContainersReady", ready ? "True" : "False", ready ? "" : "ContainersNotReady", ready ? "" : $"containers with unready status: [{names}]", now);
        Json.SetCondition(status, "PodScheduled", "True", "", "", now);
        Tidy(status);
        foreach (var container in status.Array("containerStatuses")?.OfType<JsonObject>() ?? [])
        {
            container["ready"] = ready && container.Object("state", "running") is not null;
        }
    }

    private void Run(StoredObject pod, DateTimeOffset now)
    {
        var statuses = pod.Object.Array("status", "containerStatuses")?.OfType<JsonObject>().ToList() ?? [];
        var restarting = statuses.Any(s => s.String("state", "waiting", "reason") == "CrashLoopBackOff");
        var running = statuses.Count > 0 && statuses.All(s => s.Object("state", "running") is not null);
        var ready = pod.Object.Array("status", "conditions")?.OfType<JsonObject>().Any(c => c.String("type") == "Ready" && c.String("status") == "True") == true;
        if (restarting)
        {
            pod = WriteStatus(pod, status =>
            {
                foreach (var container in status.Array("containerStatuses")!.OfType<JsonObject>())
                {
                    container["state"] = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Json.Timestamp(now) } };
                    container["started"] = true;
                    container["containerID"] = $"containerd://{Guid.NewGuid():N}{Guid.NewGuid():N}";
                }

                SetReadiness(status, pod, ready: false, now);
            });
            events.Normal(pod, "Started", $"Started container {Containers(pod).First().String("name")}", Component);
            After(pod, CrashLoops(pod) ? options.CrashLoopDelay : ReadinessWait(pod));
            return;
        }

        if (!running)
        {
            return;
        }

        if (CrashLoops(pod))
        {
            Crash(pod, now);
            return;
        }

        if (IsJobPod(pod))
        {
            Exit(pod, now);
            return;
        }

        var probe = ProbeUrl(pod);
        if (probe is null)
        {
            if (!ready)
            {
                pod = WriteStatus(pod, status => SetReadiness(status, pod, ready: true, now));
            }

            return;
        }

        // With a health endpoint the probe result decides, and keeps deciding while the pod runs.
        var state = _probes.GetOrAdd(pod.Uid, _ => new ProbeState());
        if (state.Result is { } healthy && healthy != ready)
        {
            pod = WriteStatus(pod, status => SetReadiness(status, pod, healthy, now));
        }

        // One event per run of failures, where the kubelet counts repeats on one event.
        if (state.Result == false && !state.FailureReported)
        {
            events.Warning(pod, "Unhealthy", $"Readiness probe failed: {state.Failure}", Component);
        }

        state.FailureReported = state.Result == false;

        if (!state.InFlight)
        {
            state.InFlight = true;
            var (podNamespace, podName) = (pod.Namespace, pod.Name);
            _ = Task.Run(async () =>
            {
                try
                {
                    using var response = await Probes.GetAsync(probe);
                    state.Result = (int)response.StatusCode is >= 200 and < 400;
                    state.Failure = $"HTTP probe failed with statuscode: {(int)response.StatusCode}";
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    state.Result = false;
                    state.Failure = $"Get \"{probe}\": {e.Message}";
                }
                finally
                {
                    state.InFlight = false;
                }

                queue.Enqueue(new WorkItem("Pod", podNamespace, podName));
            });
        }

        After(pod, options.ProbeInterval);
    }

    private void Crash(StoredObject pod, DateTimeOffset now)
    {
        pod = WriteStatus(pod, status =>
        {
            foreach (var container in status.Array("containerStatuses")!.OfType<JsonObject>())
            {
                var started = container.String("state", "running", "startedAt");
                container["lastState"] = new JsonObject
                {
                    ["terminated"] = new JsonObject
                    {
                        ["exitCode"] = 1,
                        ["reason"] = "Error",
                        ["startedAt"] = started,
                        ["finishedAt"] = Json.Timestamp(now),
                        ["containerID"] = container["containerID"]?.DeepClone(),
                    },
                };
                var restarts = (container.Long("restartCount") ?? 0) + 1;
                container["restartCount"] = restarts;
                container["state"] = new JsonObject
                {
                    ["waiting"] = new JsonObject
                    {
                        ["reason"] = "CrashLoopBackOff",
                        ["message"] = $"back-off {Math.Min(300, 10 << (int)Math.Min(5, restarts - 1))}s restarting failed container={container.String("name")} pod={pod.Name}_{pod.Namespace}({pod.Uid})",
                    },
                };
                container["started"] = false;
            }

            SetReadiness(status, pod, ready: false, now);
        });
        events.Warning(pod, "BackOff", $"Back-off restarting failed container {Containers(pod).First().String("name")} in pod {pod.Name}_{pod.Namespace}({pod.Uid})", Component);
        After(pod, options.CrashLoopDelay);
    }

    private void Exit(StoredObject pod, DateTimeOffset now)
    {
        var exitCode = int.TryParse(pod.Object.String("metadata", "annotations", ExitCodeAnnotation), NumberStyles.Integer, CultureInfo.InvariantCulture, out var code) ? code : 0;
        pod = WriteStatus(pod, status =>
        {
            status["phase"] = exitCode == 0 ? "Succeeded" : "Failed";
            foreach (var container in status.Array("containerStatuses")!.OfType<JsonObject>())
            {
                container["state"] = new JsonObject
                {
                    ["terminated"] = new JsonObject
                    {
                        ["exitCode"] = exitCode,
                        ["reason"] = exitCode == 0 ? "Completed" : "Error",
                        ["startedAt"] = container.String("state", "running", "startedAt"),
                        ["finishedAt"] = Json.Timestamp(now),
                        ["containerID"] = container["containerID"]?.DeepClone(),
                    },
                };
                container["ready"] = false;
                container["started"] = false;
            }

            Json.SetCondition(status, "Ready", "False", "PodCompleted", "", now);
            Json.SetCondition(status, "ContainersReady", "False", "PodCompleted", "", now);
            Tidy(status);
        });
    }

    /// <summary>The address the readiness probe of the pod's first probed container goes to, or null.</summary>
    private string? ProbeUrl(StoredObject pod)
    {
        if (options.HealthEndpointTemplate is not { } template)
        {
            return null;
        }

        var container = Containers(pod).FirstOrDefault(c => c.Object("readinessProbe", "httpGet") is not null);
        if (container?.Object("readinessProbe", "httpGet") is not { } httpGet)
        {
            return null;
        }

        var url = template
            .Replace("{namespace}", pod.Namespace, StringComparison.Ordinal)
            .Replace("{pod}", pod.Name, StringComparison.Ordinal)
            .Replace("{container}", container.String("name"), StringComparison.Ordinal)
            .Replace("{port}", httpGet["port"]?.ToString() ?? "", StringComparison.Ordinal)
            .Replace("{path}", httpGet.String("path") ?? "/", StringComparison.Ordinal);
        foreach (var (key, value) in pod.Object.Labels())
        {
            url = url.Replace($"{{label:{key}}}", value, StringComparison.Ordinal);
        }

        return url;
    }

    private sealed class ProbeState
    {
        public volatile bool InFlight;

        public bool? Result { get; set; }

        public bool FailureReported { get; set; }

        public string Failure { get; set; } = "";
    }
}
