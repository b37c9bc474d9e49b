using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// A failure the simulated API server answers with a <c>Status</c> object, in the shape and with the reason and code a
/// real API server uses, so that client code that inspects them (reason, code, details) behaves the same.
/// </summary>
internal sealed class KubernetesApiException(int code, string reason, string message, JsonObject? details = null) : Exception(message)
{
    public int Code { get; } = code;

    public string Reason { get; } = reason;

    public JsonObject? Details { get; } = details;

    /// <summary>Seconds the client should wait, sent as Retry-After (429, some 503s).</summary>
    public int? RetryAfterSeconds { get; init; }

    public JsonObject ToStatus()
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = new JsonObject(),
            ["status"] = "Failure",
            ["message"] = Message,
            ["reason"] = Reason,
        };
        if (Details is not null)
        {
            status["details"] = Details.DeepClone();
        }

        status["code"] = Code;
        return status;
    }

    private static JsonObject NameDetails(ResourceType type, string? name)
    {
        var details = new JsonObject();
        if (name is not null)
        {
            details["name"] = name;
        }

        if (type.Group.Length > 0)
        {
            details["group"] = type.Group;
        }

        details["kind"] = type.Plural;
        return details;
    }

    public static KubernetesApiException NotFound(ResourceType type, string name) =>
        new(404, "NotFound", $"{type.QualifiedPlural} \"{name}\" not found", NameDetails(type, name));

    public static KubernetesApiException AlreadyExists(ResourceType type, string name) =>
        new(409, "AlreadyExists", $"{type.QualifiedPlural} \"{name}\" already exists", NameDetails(type, name));

    public static KubernetesApiException Conflict(ResourceType type, string name) =>
        new(409, "Conflict",
            $"Operation cannot be fulfilled on {type.QualifiedPlural} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
            NameDetails(type, name));

    public static KubernetesApiException ConflictWithMessage(ResourceType type, string name, string message, JsonArray? causes = null)
    {
        var details = NameDetails(type, name);
        if (causes is not null)
        {
            details["causes"] = causes;
        }

        return new(409, "Conflict", message, details);
    }

    /// <summary>422 with one cause per invalid field, as the API server's validation reports them.</summary>
    public static KubernetesApiException Invalid(ResourceType type, string name, IReadOnlyList<FieldError> errors)
    {
        var details = NameDetails(type, name);
        details["kind"] = type.Kind;
        details["causes"] = new JsonArray(errors.Select(e => (JsonNode)new JsonObject
        {
            ["reason"] = e.Reason,
            ["message"] = e.Message,
            ["field"] = e.Field,
        }).ToArray());
        var summary = errors.Count == 1 ? errors[0].ToString() : $"[{string.Join(", ", errors)}]";
        var kind = type.Group.Length == 0 ? type.Kind : $"{type.Kind}.{type.Group}";
        return new(422, "Invalid", $"{kind} \"{name}\" is invalid: {summary}", details);
    }

    public static KubernetesApiException Forbidden(ResourceType type, string? name, string why, JsonArray? causes = null)
    {
        var details = NameDetails(type, name);
        if (causes is not null)
        {
            details["causes"] = causes;
        }

        var subject = name is null or "" ? type.QualifiedPlural : $"{type.QualifiedPlural} \"{name}\"";
        return new(403, "Forbidden", $"{subject} is forbidden: {why}", details);
    }

    public static KubernetesApiException BadRequest(string message) => new(400, "BadRequest", message);

    public static KubernetesApiException MethodNotAllowed() =>
        new(405, "MethodNotAllowed", "the server does not allow this method on the requested resource");

    public static KubernetesApiException Gone(string message) => new(410, "Expired", message);

    public static KubernetesApiException UnsupportedMediaType(string contentType) =>
        new(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json; got {contentType}");
}
