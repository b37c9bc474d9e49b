namespace Portal.Simulators.Kubernetes;

/// <summary>A change in the store: ADDED, MODIFIED or DELETED, with the version before it (for selector transitions).</summary>
internal sealed record WatchEvent(string Type, StoredObject Object, StoredObject? Previous)
{
    public long ResourceVersion => Object.ResourceVersion;
}
