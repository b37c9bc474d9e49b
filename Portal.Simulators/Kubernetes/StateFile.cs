using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// Keeps the clusters' objects in one JSON file, so that in development applications survive a restart of the
/// portal. Written about once a second while something changes, and on stop, through a temporary file and a rename.
/// </summary>
internal sealed class StateFile(string path)
{
    private readonly Dictionary<string, long> _saved = [];

    public Dictionary<string, (long ResourceVersion, List<JsonObject> Objects)> Load()
    {
        var clusters = new Dictionary<string, (long, List<JsonObject>)>();
        if (!File.Exists(path))
        {
            return clusters;
        }

        var root = JsonNode.Parse(File.ReadAllBytes(path)) as JsonObject;
        foreach (var (name, node) in root.Object("clusters") ?? [])
        {
            var objects = node.Array("objects")?.OfType<JsonObject>().Select(o => o.Clone()).ToList() ?? [];
            clusters[name] = (node.Long("resourceVersion") ?? 0, objects);
            _saved[name] = node.Long("resourceVersion") ?? 0;
        }

        return clusters;
    }

    public static void Restore(ObjectStore store, long resourceVersion, IEnumerable<JsonObject> objects)
    {
        lock (store.Gate)
        {
            foreach (var obj in objects)
            {
                if (ResourceTypes.FindByKind(obj.String("apiVersion") ?? "", obj.String("kind") ?? "") is { } type)
                {
                    store.Restore(type, obj);
                }
            }

            store.RestoreResourceVersion(resourceVersion);
        }
    }

    /// <summary>Writes the file when any cluster changed since the last save.</summary>
    public async Task SaveAsync(IReadOnlyList<SimulatedCluster> clusters, CancellationToken cancellationToken)
    {
        var snapshots = new List<(string Name, long ResourceVersion, List<byte[]> Objects)>();
        var changed = false;
        foreach (var cluster in clusters)
        {
            var store = cluster.Api.Store;
            lock (store.Gate)
            {
                changed |= !_saved.TryGetValue(cluster.Name, out var saved) || saved != store.ResourceVersion;
                snapshots.Add((cluster.Name, store.ResourceVersion, store.All().Select(o => o.Json).ToList()));
            }
        }

        if (!changed)
        {
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var temporary = path + ".tmp";
        await using (var file = File.Create(temporary))
        await using (var writer = new Utf8JsonWriter(file, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteStartObject("clusters");
            foreach (var (name, resourceVersion, objects) in snapshots)
            {
                writer.WriteStartObject(name);
                writer.WriteNumber("resourceVersion", resourceVersion);
                writer.WriteStartArray("objects");
                foreach (var obj in objects)
                {
                    writer.WriteRawValue(obj, skipInputValidation: true);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            await writer.FlushAsync(cancellationToken);
        }

        File.Move(temporary, path, overwrite: true);
        foreach (var (name, resourceVersion, _) in snapshots)
        {
            _saved[name] = resourceVersion;
        }
    }
}
