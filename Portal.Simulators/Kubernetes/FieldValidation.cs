using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The <c>fieldValidation</c> of a create, update or patch: fields the kind's model does not have are dropped from the
/// object, as the API server's decoder drops them, and Strict refuses the request (400 BadRequest, "strict decoding
/// error: unknown field …"), Warn (the default when the parameter is absent, as on the real server) answers with a
/// Warning header per field, Ignore says nothing. The known fields are those of the KubernetesClient models, the same
/// ones the OpenAPI documents publish.
/// </summary>
internal sealed class FieldValidation
{
    public const string Ignore = "Ignore";
    public const string Warn = "Warn";
    public const string Strict = "Strict";

    private FieldValidation(string directive) => Directive = directive;

    public string Directive { get; }

    /// <summary>The warnings for the Warning header (<c>unknown field "spec.foo"</c>).</summary>
    public List<string> Warnings { get; } = [];

    public static FieldValidation Parse(string? value) => value switch
    {
        null or "" => new FieldValidation(Warn),
        Ignore or Warn or Strict => new FieldValidation(value),
        _ => throw KubernetesApiException.BadRequest($"fieldValidation must be one of \"{Ignore}\", \"{Warn}\" or \"{Strict}\", not \"{value}\""),
    };

    /// <summary>
    /// Checks the object a request would write and drops its unknown fields. Fields the existing object already had
    /// are not the request's doing and are left alone. <paramref name="decoding"/> words the error as for a body that is
    /// the whole object (create, update) rather than a patch.
    /// </summary>
    public void Check(ResourceType type, JsonObject candidate, JsonObject? existing, bool decoding)
    {
        var model = ModelShape.ModelOf(type);
        var unknown = new List<(string Path, JsonObject Parent, string Key)>();
        Collect(candidate, model, "", unknown);
        if (unknown.Count == 0)
        {
            return;
        }

        if (existing is not null)
        {
            var before = new List<(string Path, JsonObject Parent, string Key)>();
            Collect(existing, model, "", before);
            var known = before.Select(u => u.Path).ToHashSet(StringComparer.Ordinal);
            unknown.RemoveAll(u => known.Contains(u.Path));
        }

        if (unknown.Count == 0)
        {
            return;
        }

        var messages = unknown.Select(u => $"unknown field \"{u.Path}\"").ToList();
        if (Directive == Strict)
        {
            var error = "strict decoding error: " + string.Join(", ", messages);
            throw KubernetesApiException.BadRequest(decoding ? $"{type.Kind} in version \"{type.Version}\" cannot be handled as a {type.Kind}: {error}" : error);
        }

        if (Directive == Warn)
        {
            Warnings.AddRange(messages);
        }

        foreach (var (_, parent, key) in unknown)
        {
            parent.Remove(key);
        }
    }

    private static void Collect(JsonObject obj, Type model, string path, List<(string Path, JsonObject Parent, string Key)> unknown)
    {
        foreach (var (key, value) in obj)
        {
            var childPath = path.Length == 0 ? key : $"{path}.{key}";
            var property = ModelShape.Property(model, key);
            if (property is null)
            {
                unknown.Add((childPath, obj, key));
            }
            else
            {
                Descend(value, property.Kind, childPath, unknown);
            }
        }
    }

    private static void Descend(JsonNode? value, ModelKind kind, string path, List<(string Path, JsonObject Parent, string Key)> unknown)
    {
        switch (kind.Tag, value)
        {
            case (ModelKindTag.Object, JsonObject child):
                Collect(child, kind.Type, path, unknown);
                break;
            case (ModelKindTag.Array, JsonArray items):
                var itemKind = ModelShape.Classify(kind.Type);
                for (var i = 0; i < items.Count; i++)
                {
                    Descend(items[i], itemKind, $"{path}[{i}]", unknown);
                }

                break;
            case (ModelKindTag.Map, JsonObject map):
                var valueKind = ModelShape.Classify(kind.Type);
                foreach (var (key, entry) in map)
                {
                    Descend(entry, valueKind, $"{path}.{key}", unknown);
                }

                break;
        }
    }
}
