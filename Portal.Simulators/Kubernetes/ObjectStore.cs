using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The cluster's "etcd": objects by kind, namespace and name; one resourceVersion counter for the whole cluster;
/// a ring of recent changes so that a watch can resume from a resourceVersion (older ones are 410 Gone, as after
/// an etcd compaction). Every method expects the caller to hold <see cref="Gate"/>.
/// </summary>
internal sealed class ObjectStore(int historySize)
{
    private readonly Dictionary<ResourceType, Dictionary<string, SortedDictionary<string, StoredObject>>> _tables =
        ResourceTypes.All.ToDictionary(t => t, _ => new Dictionary<string, SortedDictionary<string, StoredObject>>());

    private readonly WatchEvent?[] _history = new WatchEvent?[Math.Max(16, historySize)];
    private readonly List<WatchSubscription> _watchers = [];
    private int _historyNext;
    private long _resourceVersion;

    public Lock Gate { get; } = new();

    /// <summary>The newest resourceVersion handed out.</summary>
    public long ResourceVersion => _resourceVersion;

    /// <summary>Changes after this version are all in the history; a watch from an older one gets 410 Gone.</summary>
    public long CompactedResourceVersion { get; private set; }

    /// <summary>Raised under the lock for every change, for the controllers and the state file.</summary>
    public event Action<WatchEvent>? Changed;

    /// <summary>
    /// Set for the time of one dryRun=All request, under <see cref="Gate"/>: the request runs as any other (defaults,
    /// validation, admission) but its writes and removals are answered and not kept, and nobody is told of them.
    /// </summary>
    public bool DryRun { get; set; }

    public long NextResourceVersion() => DryRun ? _resourceVersion + 1 : ++_resourceVersion;

    public StoredObject? Get(ResourceType type, string ns, string name) =>
        _tables[type].TryGetValue(ns, out var names) && names.TryGetValue(name, out var obj) ? obj : null;

    /// <summary>Objects in key order (namespace, then name), like etcd's range reads.</summary>
    public IEnumerable<StoredObject> List(ResourceType type, string? ns = null)
    {
        var table = _tables[type];
        if (ns is not null)
        {
            return table.TryGetValue(ns, out var names) ? names.Values : [];
        }

        return table.Keys.Order(StringComparer.Ordinal).SelectMany(n => table[n].Values);
    }

    public int Count(ResourceType type, string? ns = null) =>
        ns is null ? _tables[type].Values.Sum(n => n.Count) : _tables[type].TryGetValue(ns, out var names) ? names.Count : 0;

    /// <summary>Every kind's objects in one namespace (namespace clean-up and garbage collection).</summary>
    public IEnumerable<StoredObject> InNamespace(string ns) =>
        _tables.Values.SelectMany(t => t.TryGetValue(ns, out var names) ? names.Values : Enumerable.Empty<StoredObject>());

    /// <summary>Stores a new version whose metadata.resourceVersion the caller has set from <see cref="NextResourceVersion"/>.</summary>
    public StoredObject Put(ResourceType type, JsonObject obj)
    {
        var stored = new StoredObject(type, obj);
        if (DryRun)
        {
            return stored;
        }

        var table = _tables[type];
        if (!table.TryGetValue(stored.Namespace, out var names))
        {
            names = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
            table[stored.Namespace] = names;
        }

        names.TryGetValue(stored.Name, out var previous);
        names[stored.Name] = stored;
        Publish(new WatchEvent(previous is null ? "ADDED" : "MODIFIED", stored, previous));
        return stored;
    }

    /// <summary>Removes the object; watchers get its last state with a new resourceVersion, as the API server sends it.</summary>
    public StoredObject? Remove(ResourceType type, string ns, string name)
    {
        if (DryRun)
        {
            return Get(type, ns, name);
        }

        if (!_tables[type].TryGetValue(ns, out var names) || !names.Remove(name, out var previous))
        {
            return null;
        }

        if (names.Count == 0)
        {
            _tables[type].Remove(ns);
        }

        var last = previous.Object.Clone();
        last.Metadata()["resourceVersion"] = NextResourceVersion().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var deleted = new StoredObject(type, last);
        Publish(new WatchEvent("DELETED", deleted, previous));
        return deleted;
    }

    /// <summary>Loads a saved object without events (start-up from the state file).</summary>
    public void Restore(ResourceType type, JsonObject obj)
    {
        var stored = new StoredObject(type, obj);
        var table = _tables[type];
        if (!table.TryGetValue(stored.Namespace, out var names))
        {
            names = new SortedDictionary<string, StoredObject>(StringComparer.Ordinal);
            table[stored.Namespace] = names;
        }

        names[stored.Name] = stored;
        _resourceVersion = Math.Max(_resourceVersion, stored.ResourceVersion);
        CompactedResourceVersion = _resourceVersion;
    }

    public void RestoreResourceVersion(long resourceVersion)
    {
        _resourceVersion = Math.Max(_resourceVersion, resourceVersion);
        CompactedResourceVersion = _resourceVersion;
    }

    public IEnumerable<StoredObject> All() => _tables.Values.SelectMany(t => t.Values).SelectMany(n => n.Values);

    /// <summary>
    /// Opens a watch. From a resourceVersion: the retained changes after it are replayed (410 Gone when some were
    /// already compacted away). Without one (or "0"): every current object first, as ADDED.
    /// </summary>
    public WatchSubscription Subscribe(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, long? fromResourceVersion)
    {
        var subscription = new WatchSubscription(type, ns, labels, fields);
        if (fromResourceVersion is { } from and > 0)
        {
            if (from < CompactedResourceVersion)
            {
                throw KubernetesApiException.Gone($"too old resource version: {from} ({CompactedResourceVersion})");
            }

            foreach (var change in History().Where(e => e.ResourceVersion > from))
            {
                subscription.Offer(change);
            }
        }
        else
        {
            foreach (var obj in List(type, ns))
            {
                if (subscription.Selects(obj))
                {
                    subscription.Send(new WatchMessage("ADDED", obj.Json));
                }
            }
        }

        _watchers.Add(subscription);
        return subscription;
    }

    public void Unsubscribe(WatchSubscription subscription)
    {
        _watchers.Remove(subscription);
        subscription.Complete();
    }

    public IReadOnlyList<WatchSubscription> Watchers => _watchers;

    private IEnumerable<WatchEvent> History()
    {
        for (var i = 0; i < _history.Length; i++)
        {
            if (_history[(_historyNext + i) % _history.Length] is { } change)
            {
                yield return change;
            }
        }
    }

    private void Publish(WatchEvent change)
    {
        if (_history[_historyNext] is { } overwritten)
        {
            CompactedResourceVersion = overwritten.ResourceVersion;
        }

        // The history keeps the bytes, not the trees: a window of thousands of versions must stay small.
        _history[_historyNext] = new WatchEvent(change.Type, change.Object.Thin(), change.Previous?.Thin());
        _historyNext = (_historyNext + 1) % _history.Length;
        foreach (var watcher in _watchers)
        {
            watcher.Offer(change);
        }

        Changed?.Invoke(change);
    }
}
