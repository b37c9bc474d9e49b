using System.Threading.Channels;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The simulated control plane: a work queue fed by the store's changes and by timers, drained by one loop that
/// runs the controllers (deployment, replica set, job, namespace, quota, garbage collector) and the kubelet, each
/// step under the cluster's lock, like level-triggered controllers in a real kube-controller-manager.
/// </summary>
internal sealed class ClusterControllers : IAsyncDisposable
{
    private readonly Channel<WorkItem> _queue = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly HashSet<WorkItem> _queued = [];
    private readonly Lock _queuedGate = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly ClusterApi _api;
    private readonly TimeProvider _time;
    private Task? _loop;
    private int _disposed;

    public ClusterControllers(ClusterApi api, KubernetesSimulatorOptions options, SimulatorFaults faults)
    {
        _api = api;
        _time = options.TimeProvider;
        var events = new EventRecorder(api);
        Kubelet = new Kubelet(api, options, faults, events, this);
        Deployments = new DeploymentController(api, events, this);
        ReplicaSets = new ReplicaSetController(api, events, this);
        Jobs = new JobController(api, events);
        Namespaces = new NamespaceController(api, options, this);
        api.Store.Changed += OnChanged;
        faults.WorkloadFaultsChanged += ResyncPods;
    }

    public Kubelet Kubelet { get; }

    /// <summary>Syncs per controller and the time they took, lock waits included (the benchmark prints them).</summary>
    public Dictionary<string, (int Count, TimeSpan Total)> Timings { get; } = [];

    public DeploymentController Deployments { get; }

    public ReplicaSetController ReplicaSets { get; }

    public JobController Jobs { get; }

    public NamespaceController Namespaces { get; }

    public void Start()
    {
        // Objects loaded from a state file are looked at once, as controllers resync after a restart.
        lock (_api.Store.Gate)
        {
            foreach (var obj in _api.Store.All().ToList())
            {
                OnChanged(new WatchEvent("MODIFIED", obj, obj));
            }
        }

        _loop = Task.Run(RunAsync);
    }

    public void Enqueue(WorkItem item)
    {
        lock (_queuedGate)
        {
            if (!_queued.Add(item))
            {
                return;
            }
        }

        _queue.Writer.TryWrite(item);
    }

    public void EnqueueAfter(WorkItem item, TimeSpan delay)
    {
        if (delay <= TimeSpan.Zero)
        {
            Enqueue(item);
            return;
        }

        _ = Task.Delay(delay, _time, _stopping.Token).ContinueWith(_ => Enqueue(item), CancellationToken.None,
            TaskContinuationOptions.OnlyOnRanToCompletion, TaskScheduler.Default);
    }

    private void ResyncPods()
    {
        lock (_api.Store.Gate)
        {
            foreach (var pod in _api.Store.List(ResourceTypes.Pods))
            {
                Kubelet.Forget(pod.Uid);
                Enqueue(new WorkItem("Pod", pod.Namespace, pod.Name));
            }
        }
    }

    // Called under the store's lock for every change: decides who has to look again.
    private void OnChanged(WatchEvent change)
    {
        var obj = change.Object;
        var deleted = change.Type == "DELETED";
        switch (obj.Type.Kind)
        {
            case "Deployment":
                Enqueue(new WorkItem("Deployment", obj.Namespace, obj.Name));
                break;
            case "ReplicaSet":
                Enqueue(new WorkItem("ReplicaSet", obj.Namespace, obj.Name));
                EnqueueOwner(obj);
                break;
            case "Pod":
                if (!deleted)
                {
                    Enqueue(new WorkItem("Pod", obj.Namespace, obj.Name));
                }

                EnqueueOwner(obj);
                break;
            case "Job":
                Enqueue(new WorkItem("Job", obj.Namespace, obj.Name));
                break;
            case "Namespace":
                Enqueue(new WorkItem("Namespace", "", obj.Name));
                break;
        }

        if (deleted && obj.Type.Kind is "Deployment" or "ReplicaSet" or "Job")
        {
            Enqueue(new WorkItem("Garbage", obj.Namespace, obj.Uid));
        }

        if (obj.Type != ResourceTypes.Events && obj.Namespace.Length > 0 && _api.Store.Count(ResourceTypes.ResourceQuotas, obj.Namespace) > 0)
        {
            Enqueue(new WorkItem("Quota", obj.Namespace, ""));
        }
    }

    private void EnqueueOwner(StoredObject obj)
    {
        if (obj.Object.ControllerOf() is { } owner && owner.String("kind") is "ReplicaSet" or "Deployment" or "Job" && owner.String("name") is { } name)
        {
            Enqueue(new WorkItem(owner.String("kind")!, obj.Namespace, name));
        }
    }

    private async Task RunAsync()
    {
        try
        {
            await foreach (var item in _queue.Reader.ReadAllAsync(_stopping.Token))
            {
                lock (_queuedGate)
                {
                    _queued.Remove(item);
                }

                try
                {
                    var started = System.Diagnostics.Stopwatch.GetTimestamp();
                    lock (_api.Store.Gate)
                    {
                        Process(item);
                    }

                    var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                    lock (Timings)
                    {
                        Timings[item.Kind] = (Timings.GetValueOrDefault(item.Kind).Count + 1, Timings.GetValueOrDefault(item.Kind).Total + elapsed);
                    }
                }
                catch (KubernetesApiException)
                {
                    // A conflict or a refusal: the next change or timer brings the item back, as a requeue would.
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A bug in a simulated controller must not stop the others; it is reported where it can be seen.
                    await Console.Error.WriteLineAsync($"kubernetes simulator: {item.Kind} {item.Namespace}/{item.Name}: {e}");
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    private void Process(WorkItem item)
    {
        switch (item.Kind)
        {
            case "Deployment":
                Deployments.Sync(item.Namespace, item.Name);
                break;
            case "ReplicaSet":
                ReplicaSets.Sync(item.Namespace, item.Name);
                break;
            case "Pod":
                Kubelet.Sync(item.Namespace, item.Name);
                break;
            case "Job":
                Jobs.Sync(item.Namespace, item.Name);
                break;
            case "Namespace":
                Namespaces.Sync(item.Name);
                break;
            case "Quota":
                QuotaStatus(item.Namespace);
                break;
            case "Garbage":
                _api.CollectGarbage(item.Namespace, item.Name);
                break;
        }
    }

    private void QuotaStatus(string ns)
    {
        foreach (var quota in _api.Store.List(ResourceTypes.ResourceQuotas, ns).ToList())
        {
            var hard = quota.Object.Object("spec", "hard") ?? [];
            var used = Admission.Used(_api.Store, ns, hard.Select(h => h.Key));
            var updated = quota.Object.Clone();
            var status = updated.Ensure("status");
            status["hard"] = hard.DeepClone();
            var usedJson = new System.Text.Json.Nodes.JsonObject();
            foreach (var (resource, amount) in used)
            {
                usedJson[resource] = Quantity.Format(amount);
            }

            status["used"] = usedJson;
            _api.Commit(ResourceTypes.ResourceQuotas, quota, updated, "kube-controller-manager", "status", appliedManagedFields: false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        _queue.Writer.TryComplete();
        if (_loop is not null)
        {
            await _loop;
        }

        _stopping.Dispose();
    }
}
