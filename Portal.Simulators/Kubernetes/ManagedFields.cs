using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// Field ownership as server-side apply keeps it in <c>metadata.managedFields</c> (FieldsV1). A path is the list of
/// FieldsV1 keys (<c>f:spec</c>, <c>k:{"name":"web"}</c>) joined by <see cref="Separator"/>; only leaves are tracked,
/// which is enough for the conflicts and removals of a single applier, not for every corner of structured-merge-diff.
/// </summary>
internal static class ManagedFields
{
    private const char Separator = '\u001f';

    private static readonly HashSet<string> TrackedMetadata = ["labels", "annotations", "ownerReferences", "finalizers"];

    /// <summary>The leaves of <paramref name="obj"/> (of its status only, or of everything but its status) with their JSON values.</summary>
    public static Dictionary<string, string> Flatten(JsonObject obj, bool status)
    {
        var leaves = new Dictionary<string, string>();
        foreach (var (key, value) in obj)
        {
            if (key is "apiVersion" or "kind" || (key == "status") != status || value is null)
            {
                continue;
            }

            if (key == "metadata")
            {
                foreach (var (metaKey, metaValue) in value as JsonObject ?? [])
                {
                    if (TrackedMetadata.Contains(metaKey) && metaValue is not null)
                    {
                        Walk(metaValue, metaKey, $"f:metadata{Separator}f:{metaKey}", leaves);
                    }
                }

                continue;
            }

            Walk(value, key, $"f:{key}", leaves);
        }

        return leaves;
    }

    private static void Walk(JsonNode node, string field, string path, Dictionary<string, string> leaves)
    {
        switch (node)
        {
            case JsonObject obj when obj.Count > 0:
                foreach (var (key, value) in obj)
                {
                    if (value is not null)
                    {
                        Walk(value, key, $"{path}{Separator}f:{key}", leaves);
                    }
                }

                break;
            case JsonArray array when array.Count > 0 && Patches.MergeKey(field, array) is { } mergeKey
                                      && array.All(i => i is JsonObject item && item.ContainsKey(mergeKey)):
                foreach (var item in array.OfType<JsonObject>())
                {
                    var itemPath = $"{path}{Separator}k:{{\"{mergeKey}\":{item[mergeKey]!.ToJsonString()}}}";
                    Walk(item, field, itemPath, leaves);
                }

                break;
            default:
                leaves[path] = node.ToJsonString();
                break;
        }
    }

    public static JsonObject Encode(IEnumerable<string> paths)
    {
        var root = new JsonObject();
        foreach (var path in paths.Order(StringComparer.Ordinal))
        {
            var current = root;
            foreach (var segment in path.Split(Separator))
            {
                if (current[segment] is not JsonObject next)
                {
                    next = [];
                    current[segment] = next;
                }

                current = next;
            }
        }

        return root;
    }

    public static HashSet<string> Decode(JsonObject? fields)
    {
        var paths = new HashSet<string>();
        void Visit(JsonObject node, string prefix)
        {
            var children = node.Where(p => p.Key != ".").ToList();
            if (children.Count == 0 && prefix.Length > 0)
            {
                paths.Add(prefix);
                return;
            }

            foreach (var (key, value) in children)
            {
                Visit(value as JsonObject ?? [], prefix.Length == 0 ? key : $"{prefix}{Separator}{key}");
            }
        }

        if (fields is not null)
        {
            Visit(fields, "");
        }

        return paths;
    }

    /// <summary>A path as the API server prints it in conflict messages: <c>.spec.template.spec.containers[name="web"].image</c>.</summary>
    public static string Display(string path) =>
        string.Concat(path.Split(Separator).Select(segment => segment.StartsWith("f:", StringComparison.Ordinal)
            ? "." + segment[2..]
            : "[" + segment[2..].Trim('{', '}').Replace("\":", "=", StringComparison.Ordinal).TrimStart('"') + "]"));

    private sealed record Entry(string Manager, string Operation, string? Subresource, HashSet<string> Paths, JsonObject Original);

    private static List<Entry> Read(JsonObject? obj) =>
        obj?.Array("metadata", "managedFields")?.OfType<JsonObject>().Select(e => new Entry(
            e.String("manager") ?? "",
            e.String("operation") ?? "Update",
            e.String("subresource"),
            Decode(e.Object("fieldsV1")),
            e)).ToList() ?? [];

    private static void Write(JsonObject obj, List<Entry> entries, HashSet<Entry> changed, string apiVersion, DateTimeOffset now)
    {
        var array = new JsonArray();
        foreach (var entry in entries.Where(e => e.Paths.Count > 0))
        {
            if (!changed.Contains(entry))
            {
                array.Add(entry.Original.DeepClone());
                continue;
            }

            var written = new JsonObject
            {
                ["manager"] = entry.Manager,
                ["operation"] = entry.Operation,
                ["apiVersion"] = apiVersion,
                ["time"] = Json.Timestamp(now),
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = Encode(entry.Paths),
            };
            if (entry.Subresource is not null)
            {
                written["subresource"] = entry.Subresource;
            }

            array.Add(written);
        }

        if (array.Count > 0)
        {
            obj.Metadata()["managedFields"] = array;
        }
        else
        {
            obj.Metadata().Remove("managedFields");
        }
    }

    /// <summary>
    /// After a create, update or non-apply patch: the fields it changed now belong to <paramref name="manager"/>'s
    /// Update entry and to nobody else, as the API server records them.
    /// </summary>
    public static void RecordUpdate(JsonObject updated, JsonObject? previous, string manager, string apiVersion, string? subresource, DateTimeOffset now)
    {
        var status = subresource == "status";
        var before = previous is null ? [] : Flatten(previous, status);
        var after = Flatten(updated, status);
        var touched = after.Where(p => !before.TryGetValue(p.Key, out var old) || old != p.Value).Select(p => p.Key).ToHashSet();
        var removed = before.Keys.Where(k => !after.ContainsKey(k)).ToHashSet();
        var entries = Read(previous);
        if (touched.Count == 0 && removed.Count == 0)
        {
            Write(updated, entries, [], apiVersion, now);
            return;
        }

        var changed = new HashSet<Entry>();
        foreach (var entry in entries)
        {
            if (entry.Paths.RemoveWhere(p => touched.Contains(p) || removed.Contains(p)) > 0)
            {
                changed.Add(entry);
            }
        }

        var own = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Update" && e.Subresource == subresource);
        if (own is null)
        {
            own = new Entry(manager, "Update", subresource, [], []);
            entries.Add(own);
        }

        own.Paths.UnionWith(touched);
        changed.Add(own);
        Write(updated, entries, changed, apiVersion, now);
    }

    /// <summary>
    /// Server-side apply of <paramref name="applied"/> by <paramref name="manager"/> onto <paramref name="live"/>:
    /// a field another manager owns with a different value is a conflict unless <paramref name="force"/>; fields
    /// this manager applied before and no longer applies are removed.
    /// </summary>
    public static JsonObject Apply(JsonObject? live, JsonObject applied, string manager, bool force, ResourceType type, DateTimeOffset now)
    {
        var appliedFields = Flatten(applied, status: false);
        var liveFields = live is null ? [] : Flatten(live, status: false);
        var entries = Read(live);
        var changed = new HashSet<Entry>();
        var conflicts = new List<(string Manager, string Path)>();
        foreach (var entry in entries.Where(e => !(e.Manager == manager && e.Operation == "Apply") && e.Subresource is null))
        {
            foreach (var path in entry.Paths.Where(appliedFields.ContainsKey).ToList())
            {
                if (liveFields.TryGetValue(path, out var current) && current == appliedFields[path])
                {
                    continue;
                }

                if (force)
                {
                    entry.Paths.Remove(path);
                    changed.Add(entry);
                }
                else
                {
                    conflicts.Add((entry.Manager, path));
                }
            }
        }

        if (conflicts.Count > 0)
        {
            throw ApplyConflict(type, applied.Name(), conflicts);
        }

        var merged = Patches.StrategicMergePatch(live?.Clone() ?? [], applied);
        var own = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Apply" && e.Subresource is null);
        if (own is not null)
        {
            var stillOwned = entries.Where(e => e != own).SelectMany(e => e.Paths).ToHashSet();
            foreach (var dropped in own.Paths.Where(p => !appliedFields.ContainsKey(p) && !stillOwned.Contains(p)))
            {
                RemovePath(merged, dropped);
            }
        }
        else
        {
            own = new Entry(manager, "Apply", null, [], []);
            entries.Add(own);
        }

        if (!own.Paths.SetEquals(appliedFields.Keys))
        {
            own.Paths.Clear();
            own.Paths.UnionWith(appliedFields.Keys);
            changed.Add(own);
        }

        Write(merged, entries, changed, type.ApiVersion, now);
        return merged;
    }

    private static KubernetesApiException ApplyConflict(ResourceType type, string name, List<(string Manager, string Path)> conflicts)
    {
        var causes = new JsonArray(conflicts.Select(c => (JsonNode)new JsonObject
        {
            ["reason"] = "FieldManagerConflict",
            ["message"] = $"conflict with \"{c.Manager}\" using {type.ApiVersion}",
            ["field"] = Display(c.Path),
        }).ToArray());
        var message = conflicts.Count == 1
            ? $"Apply failed with 1 conflict: conflict with \"{conflicts[0].Manager}\" using {type.ApiVersion}: {Display(conflicts[0].Path)}"
            : $"Apply failed with {conflicts.Count} conflicts: " + string.Join("\n", conflicts.GroupBy(c => c.Manager)
                .Select(g => $"conflicts with \"{g.Key}\" using {type.ApiVersion}:\n" + string.Join("\n", g.Select(c => $"- {Display(c.Path)}"))));
        return KubernetesApiException.ConflictWithMessage(type, name, message, causes);
    }

    private static void RemovePath(JsonObject root, string path)
    {
        var segments = path.Split(Separator);
        var trail = new List<(JsonNode Container, JsonNode Child)>();
        JsonNode? current = root;
        foreach (var segment in segments)
        {
            JsonNode? next = null;
            if (segment.StartsWith("f:", StringComparison.Ordinal) && current is JsonObject obj)
            {
                next = obj[segment[2..]];
            }
            else if (segment.StartsWith("k:", StringComparison.Ordinal) && current is JsonArray array && JsonNode.Parse(segment[2..]) is JsonObject key)
            {
                next = array.OfType<JsonObject>().FirstOrDefault(i => key.All(k => JsonNode.DeepEquals(i[k.Key], k.Value)));
            }

            if (next is null)
            {
                return;
            }

            trail.Add((current!, next));
            current = next;
        }

        // Remove the leaf, then every container left empty (or a list item left with only its key) on the way up.
        for (var i = trail.Count - 1; i >= 0; i--)
        {
            var (container, child) = trail[i];
            var isLeaf = i == trail.Count - 1;
            var emptied = child switch
            {
                JsonObject o => o.Count == 0 || (container is JsonArray && segments[i].StartsWith("k:", StringComparison.Ordinal) && o.Count <= 1),
                JsonArray a => a.Count == 0,
                _ => false,
            };
            if (!isLeaf && !emptied)
            {
                break;
            }

            if (container is JsonObject parent)
            {
                parent.Remove(segments[i][2..]);
            }
            else if (container is JsonArray list)
            {
                list.Remove(child);
            }
        }
    }
}
