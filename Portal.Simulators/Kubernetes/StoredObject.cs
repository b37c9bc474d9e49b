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
    }

    public ResourceType Type { get; }

    public JsonObject Object { get; }

    public byte[] Json { get; }

    public string Namespace { get; }

    public string Name { get; }

    public string Uid { get; }

    public long ResourceVersion { get; }
}
