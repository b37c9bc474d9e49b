using System.Globalization;
using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The three patch formats of the API server. Strategic merge knows the merge keys of the lists our objects use
/// (containers by name, ports by port, env by name, …); any other list is replaced whole, as for a list without a
/// patch strategy.
/// </summary>
internal static class Patches
{
    /// <summary>RFC 7386: objects merge, null removes, everything else (arrays included) replaces.</summary>
    public static JsonNode? MergePatch(JsonNode? target, JsonNode? patch)
    {
        if (patch is not JsonObject patchObject)
        {
            return patch?.DeepClone();
        }

        var result = target as JsonObject ?? [];
        foreach (var (key, value) in patchObject)
        {
            if (value is null)
            {
                result.Remove(key);
            }
            else
            {
                var merged = MergePatch(result[key]?.DeepClone(), value);
                result[key] = merged;
            }
        }

        return result;
    }

    /// <summary>The merge key of a list field, or null when the list is replaced whole.</summary>
    public static string? MergeKey(string field, JsonArray items)
    {
        var first = items.OfType<JsonObject>().FirstOrDefault();
        return field switch
        {
            "containers" or "initContainers" or "ephemeralContainers" or "volumes" or "env" or "imagePullSecrets" => "name",
            "volumeMounts" => "mountPath",
            "volumeDevices" => "devicePath",
            "ports" => first?.ContainsKey("containerPort") == true ? "containerPort" : "port",
            "ownerReferences" => "uid",
            "conditions" => "type",
            "hostAliases" => "ip",
            "topologySpreadConstraints" => "topologyKey",
            _ => null,
        };
    }

    /// <summary>Lists of strings the API server merges as sets (finalizers).</summary>
    public static bool IsMergedPrimitiveList(string field) => field is "finalizers";

    public static JsonObject StrategicMergePatch(JsonObject target, JsonObject patch)
    {
        if (patch["$patch"]?.ToString() == "replace")
        {
            var replaced = patch.Clone();
            replaced.Remove("$patch");
            return replaced;
        }

        foreach (var (key, value) in patch)
        {
            // Directives ($setElementOrder, $retainKeys, …) steer the merge; they are never stored.
            if (key.StartsWith('$'))
            {
                continue;
            }

            if (value is null)
            {
                target.Remove(key);
            }
            else if (value is JsonObject patchChild)
            {
                if (patchChild["$patch"]?.ToString() == "delete")
                {
                    target.Remove(key);
                }
                else if (target[key] is JsonObject existing && patchChild["$patch"]?.ToString() != "replace")
                {
                    StrategicMergePatch(existing, patchChild);
                }
                else
                {
                    target[key] = StrategicMergePatch([], patchChild);
                }
            }
            else if (value is JsonArray patchList && target[key] is JsonArray targetList)
            {
                target[key] = MergeList(key, targetList, patchList);
            }
            else
            {
                target[key] = value.DeepClone();
            }
        }

        foreach (var directive in patch.Where(p => p.Key.StartsWith("$deleteFromPrimitiveList/", StringComparison.Ordinal)).ToList())
        {
            var field = directive.Key["$deleteFromPrimitiveList/".Length..];
            if (target[field] is JsonArray list && directive.Value is JsonArray remove)
            {
                var removed = remove.Select(r => r?.ToString()).ToHashSet();
                target[field] = new JsonArray(list.Where(i => !removed.Contains(i?.ToString())).Select(i => i?.DeepClone()).ToArray());
            }
        }

        return target;
    }

    private static JsonArray MergeList(string field, JsonArray target, JsonArray patch)
    {
        if (IsMergedPrimitiveList(field))
        {
            var union = target.Select(i => i?.ToString()).ToList();
            union.AddRange(patch.Select(i => i?.ToString()).Where(i => !union.Contains(i)));
            return new JsonArray(union.Select(i => (JsonNode?)JsonValue.Create(i)).ToArray());
        }

        var mergeKey = MergeKey(field, patch.Count > 0 ? patch : target);
        if (mergeKey is null || patch.Any(i => i is not JsonObject))
        {
            return (JsonArray)patch.DeepClone();
        }

        var result = new JsonArray(target.Select(i => i?.DeepClone()).ToArray());
        foreach (var item in patch.OfType<JsonObject>())
        {
            if (item["$patch"]?.ToString() == "replace")
            {
                return new JsonArray(patch.OfType<JsonObject>().Where(i => i["$patch"] is null).Select(i => (JsonNode)i.DeepClone()).ToArray());
            }

            var key = item[mergeKey]?.ToJsonString();
            var existing = result.OfType<JsonObject>().FirstOrDefault(i => i[mergeKey]?.ToJsonString() == key);
            if (item["$patch"]?.ToString() == "delete")
            {
                if (existing is not null)
                {
                    result.Remove(existing);
                }
            }
            else if (existing is not null)
            {
                StrategicMergePatch(existing, item);
            }
            else
            {
                result.Add(item.DeepClone());
            }
        }

        return result;
    }

    /// <summary>RFC 6902: add, remove, replace, move, copy, test.</summary>
    public static JsonNode ApplyJsonPatch(JsonNode document, JsonArray operations)
    {
        var root = document;
        foreach (var operation in operations.OfType<JsonObject>())
        {
            var op = operation.String("op") ?? throw PatchError("missing op");
            var path = operation.String("path") ?? throw PatchError("missing path");
            switch (op)
            {
                case "add":
                    root = Add(root, path, operation["value"]?.DeepClone());
                    break;
                case "remove":
                    Remove(root, path);
                    break;
                case "replace":
                    Remove(root, path);
                    root = Add(root, path, operation["value"]?.DeepClone());
                    break;
                case "move":
                    {
                        var from = operation.String("from") ?? throw PatchError("missing from");
                        var value = Get(root, from);
                        Remove(root, from);
                        root = Add(root, path, value?.DeepClone());
                        break;
                    }

                case "copy":
                    {
                        var from = operation.String("from") ?? throw PatchError("missing from");
                        root = Add(root, path, Get(root, from)?.DeepClone());
                        break;
                    }

                case "test":
                    if (!JsonNode.DeepEquals(Get(root, path), operation["value"]))
                    {
                        throw PatchError($"testing value {path} failed");
                    }

                    break;
                default:
                    throw PatchError($"unexpected kind: {op}");
            }
        }

        return root;
    }

    private static KubernetesApiException PatchError(string message) =>
        new(422, "Invalid", $"the server rejected our request due to an error in our request: {message}");

    private static List<string> Pointer(string path) =>
        path.Length == 0 ? [] : path[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToList();

    private static JsonNode? Get(JsonNode root, string path)
    {
        JsonNode? current = root;
        foreach (var segment in Pointer(path))
        {
            current = current switch
            {
                JsonObject obj when obj.TryGetPropertyValue(segment, out var child) => child,
                JsonArray array when int.TryParse(segment, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count => array[index],
                _ => throw PatchError($"doc is missing path: \"{path}\""),
            };
        }

        return current;
    }

    private static (JsonNode Parent, string Last) Parent(JsonNode root, string path)
    {
        var segments = Pointer(path);
        if (segments.Count == 0)
        {
            throw PatchError("the root cannot be the target of this operation");
        }

        var parentPath = "/" + string.Join('/', segments[..^1].Select(s => s.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));
        var parent = segments.Count == 1 ? root : Get(root, parentPath) ?? throw PatchError($"doc is missing path: \"{path}\"");
        return (parent, segments[^1]);
    }

    private static JsonNode Add(JsonNode root, string path, JsonNode? value)
    {
        if (path.Length == 0)
        {
            return value ?? throw PatchError("cannot replace the document with null");
        }

        var (parent, last) = Parent(root, path);
        switch (parent)
        {
            case JsonObject obj:
                obj[last] = value;
                break;
            case JsonArray array when last == "-":
                array.Add(value);
                break;
            case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index <= array.Count:
                array.Insert(index, value);
                break;
            default:
                throw PatchError($"doc is missing path: \"{path}\"");
        }

        return root;
    }

    private static void Remove(JsonNode root, string path)
    {
        var (parent, last) = Parent(root, path);
        switch (parent)
        {
            case JsonObject obj when obj.ContainsKey(last):
                obj.Remove(last);
                break;
            case JsonArray array when int.TryParse(last, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index < array.Count:
                array.RemoveAt(index);
                break;
            default:
                throw PatchError($"Unable to remove nonexistent key: {last}: missing value");
        }
    }
}
