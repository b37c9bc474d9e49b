using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>Small helpers over <see cref="JsonNode"/>, the representation of every stored object.</summary>
internal static class Json
{
    private static readonly JsonWriterOptions CompactWriter = new() { Indented = false, SkipValidation = true };

    public static JsonObject? Object(this JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = (current as JsonObject)?[segment];
        }

        return current as JsonObject;
    }

    public static JsonArray? Array(this JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = (current as JsonObject)?[segment];
        }

        return current as JsonArray;
    }

    public static string? String(this JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = (current as JsonObject)?[segment];
        }

        return current is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : null;
    }

    public static long? Long(this JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = (current as JsonObject)?[segment];
        }

        if (current is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
        {
            return null;
        }

        // Values parsed from JSON read as any number type; values set in code keep their own CLR type.
        return value.TryGetValue<long>(out var number) ? number
            : value.TryGetValue<int>(out var small) ? small
            : value.TryGetValue<double>(out var real) ? (long)real
            : value.TryGetValue<decimal>(out var exact) ? (long)exact
            : null;
    }

    public static bool? Bool(this JsonNode? node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            current = (current as JsonObject)?[segment];
        }

        return current?.GetValueKind() switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
    }

    /// <summary>The object at <paramref name="path"/>, created on the way when missing.</summary>
    public static JsonObject Ensure(this JsonObject node, params string[] path)
    {
        var current = node;
        foreach (var segment in path)
        {
            if (current[segment] is not JsonObject next)
            {
                next = [];
                current[segment] = next;
            }

            current = next;
        }

        return current;
    }

    public static JsonObject Metadata(this JsonObject obj) => obj.Ensure("metadata");

    public static string Name(this JsonObject obj) => obj.String("metadata", "name") ?? "";

    public static string Namespace(this JsonObject obj) => obj.String("metadata", "namespace") ?? "";

    public static string Uid(this JsonObject obj) => obj.String("metadata", "uid") ?? "";

    public static IEnumerable<KeyValuePair<string, string>> Labels(this JsonObject obj) =>
        obj.Object("metadata", "labels")?.Select(p => new KeyValuePair<string, string>(p.Key, p.Value?.ToString() ?? "")) ?? [];

    public static string? Label(this JsonObject obj, string key) => obj.String("metadata", "labels", key);

    public static bool IsBeingDeleted(this JsonObject obj) => obj.String("metadata", "deletionTimestamp") is not null;

    /// <summary>The owner reference that is the object's controller (a replica set's deployment, a pod's replica set or job).</summary>
    public static JsonObject? ControllerOf(this JsonObject obj) =>
        obj.Array("metadata", "ownerReferences")?.OfType<JsonObject>().FirstOrDefault(o => o.Bool("controller") == true);

    public static bool IsOwnedBy(this JsonObject obj, string uid) =>
        obj.Array("metadata", "ownerReferences")?.OfType<JsonObject>().Any(o => o.String("uid") == uid) == true;

    public static JsonObject OwnerReference(JsonObject owner, ResourceType type) => new()
    {
        ["apiVersion"] = type.ApiVersion,
        ["kind"] = type.Kind,
        ["name"] = owner.Name(),
        ["uid"] = owner.Uid(),
        ["controller"] = true,
        ["blockOwnerDeletion"] = true,
    };

    /// <summary>Timestamps as the API server writes them (metav1.Time: RFC 3339, whole seconds, UTC).</summary>
    public static string Timestamp(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static DateTimeOffset? ParseTimestamp(string? text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time) ? time : null;

    public static byte[] Serialize(JsonNode node)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, CompactWriter))
        {
            node.WriteTo(writer);
        }

        return buffer.ToArray();
    }

    public static JsonObject ParseObject(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return JsonNode.Parse(utf8) as JsonObject ?? throw KubernetesApiException.BadRequest("the request body is not a JSON object");
        }
        catch (JsonException e)
        {
            throw KubernetesApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    public static JsonObject Clone(this JsonObject obj) => (JsonObject)obj.DeepClone();

    /// <summary>Sets or replaces the condition of <paramref name="type"/>, keeping lastTransitionTime when the status does not change.</summary>
    public static bool SetCondition(JsonObject status, string type, string value, string reason, string message, DateTimeOffset now, bool withUpdateTime = false)
    {
        var conditions = status["conditions"] as JsonArray;
        if (conditions is null)
        {
            conditions = [];
            status["conditions"] = conditions;
        }

        var existing = conditions.OfType<JsonObject>().FirstOrDefault(c => c.String("type") == type);
        if (existing is not null && existing.String("status") == value && existing.String("reason") == reason && existing.String("message") == message)
        {
            return false;
        }

        var condition = new JsonObject { ["type"] = type, ["status"] = value };
        if (withUpdateTime)
        {
            condition["lastUpdateTime"] = Timestamp(now);
        }

        condition["lastTransitionTime"] = existing is not null && existing.String("status") == value ? existing["lastTransitionTime"]?.DeepClone() : Timestamp(now);
        condition["reason"] = reason;
        condition["message"] = message;
        if (existing is not null)
        {
            conditions[conditions.IndexOf(existing)] = condition;
        }
        else
        {
            conditions.Add(condition);
        }

        return true;
    }
}
