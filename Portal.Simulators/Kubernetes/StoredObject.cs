using System.Globalization;
using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// One version of an object. It is never changed once stored: a write stores a new one. The JSON tree is only read
/// under the cluster's lock; the serialized bytes are what requests and watches send, outside the lock.
/// </summary>
internal sealed class StoredObject
{
    public StoredObject(ResourceType type, JsonObject obj)
    {
        Type = type;
        Object = obj;
        Json = Kubernetes.Json.Serialize(obj);
        Namespace = obj.Namespace();
        Name = obj.Name();
        Uid = obj.Uid();
        ResourceVersion = long.Parse(obj.String("metadata", "resourceVersion") ?? "0", CultureInfo.InvariantCulture);
        // Selectors read these on every list and watch event: taken out of the tree once.
        Labels = obj.Labels().ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        Fields = FieldSelector.SelectableFields(type).ToDictionary(f => f, f => FieldSelector.Value(obj, f), StringComparer.Ordinal);
    }

    private StoredObject(StoredObject full)
    {
        Type = full.Type;
        Object = null!;
        Json = full.Json;
        Namespace = full.Namespace;
        Name = full.Name;
        Uid = full.Uid;
        ResourceVersion = full.ResourceVersion;
        Labels = full.Labels;
        Fields = full.Fields;
    }

    /// <summary>The same version without its JSON tree, for the watch history: selectors and the bytes are all a replay needs.</summary>
    public StoredObject Thin() => new(this);

    public IReadOnlyDictionary<string, string> Labels { get; }

    /// <summary>The values of the fields a field selector may name for this kind.</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    public ResourceType Type { get; }

    public JsonObject Object { get; }

    public byte[] Json { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    public long ResourceVersion { get; }
}
