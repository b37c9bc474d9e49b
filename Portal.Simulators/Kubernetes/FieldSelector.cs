using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// A field selector (<c>metadata.name=web,status.phase!=Running</c>). Like the real server, only the fields each
/// kind indexes are accepted; anything else is a 400 "field label not supported".
/// </summary>
internal sealed class FieldSelector
{
    private static readonly string[] CommonFields = ["metadata.name", "metadata.namespace"];

    private static readonly Dictionary<string, string[]> FieldsByKind = new()
    {
        ["Pod"] = ["spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "status.phase", "status.podIP", "status.nominatedNodeName"],
        ["Event"] = ["involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type"],
        ["Namespace"] = ["status.phase"],
        ["Secret"] = ["type"],
        ["ReplicaSet"] = ["status.replicas"],
        ["Job"] = ["status.successful"],
    };

    private readonly List<(string Field, bool Equal, string Value)> _terms;

    private FieldSelector(List<(string, bool, string)> terms) => _terms = terms;

    public static FieldSelector Everything { get; } = new([]);

    public static FieldSelector Parse(string? text, ResourceType type)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var supported = SelectableFields(type).ToHashSet();
        var terms = new List<(string, bool, string)>();
        foreach (var term in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var (field, equal, value) = term.IndexOf("!=", StringComparison.Ordinal) is var ne and > 0 ? (term[..ne], false, term[(ne + 2)..])
                : term.IndexOf("==", StringComparison.Ordinal) is var ee and > 0 ? (term[..ee], true, term[(ee + 2)..])
                : term.IndexOf('=', StringComparison.Ordinal) is var e and > 0 ? (term[..e], true, term[(e + 1)..])
                : throw KubernetesApiException.BadRequest($"invalid selector: '{text}'; can't understand '{term}'");
            if (!supported.Contains(field))
            {
                throw KubernetesApiException.BadRequest($"field label not supported: {field}");
            }

            terms.Add((field, equal, value));
        }

        return new FieldSelector(terms);
    }

    public static IEnumerable<string> SelectableFields(ResourceType type) => CommonFields.Concat(FieldsByKind.GetValueOrDefault(type.Kind, []));

    public bool Matches(StoredObject obj)
    {
        foreach (var (field, equal, value) in _terms)
        {
            var actual = obj.Fields.GetValueOrDefault(field, "");
            if ((actual == value) != equal)
            {
                return false;
            }
        }

        return true;
    }

    public static string Value(JsonObject obj, string field)
    {
        if (field == "source")
        {
            return obj.String("source", "component") ?? "";
        }

        JsonNode? current = obj;
        foreach (var segment in field.Split('.'))
        {
            current = (current as JsonObject)?[segment];
        }

        return current?.ToString() ?? "";
    }
}
