using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The API server's validation for the fields our objects need: names (DNS-1123 and DNS-1035), labels, required
/// fields, selectors that must match their templates. Failures are 422 Invalid with one cause per field.
/// </summary>
internal static partial class ObjectValidation
{
    private const string SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

    private const string LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

    private const string Dns1035Message =
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")]
    private static partial Regex Subdomain();

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^[-._a-zA-Z0-9]+$")]
    private static partial Regex ConfigKey();

    public static void Validate(ResourceType type, JsonObject obj)
    {
        var errors = new List<FieldError>();
        var name = obj.Name();
        ValidateName(type, name, errors);
        ValidateLabels(obj.Object("metadata", "labels"), "metadata.labels", errors);
        switch (type.Kind)
        {
            case "Pod":
                PodSpec(obj.Object("spec"), "spec", errors);
                break;
            case "Deployment" or "ReplicaSet":
                Workload(obj, errors, requireSelector: true);
                break;
            case "Job":
                Workload(obj, errors, requireSelector: false);
                var restart = obj.String("spec", "template", "spec", "restartPolicy");
                if (restart is null)
                {
                    errors.Add(FieldError.Required("spec.template.spec.restartPolicy"));
                }
                else if (restart is not ("OnFailure" or "Never"))
                {
                    errors.Add(FieldError.NotSupported("spec.template.spec.restartPolicy", restart, ["OnFailure", "Never"]));
                }

                break;
            case "Service":
                var serviceType = obj.String("spec", "type") ?? "ClusterIP";
                var ports = obj.Array("spec", "ports");
                if (serviceType != "ExternalName" && obj.String("spec", "clusterIP") != "None" && (ports is null || ports.Count == 0))
                {
                    errors.Add(FieldError.Required("spec.ports"));
                }

                for (var i = 0; i < (ports?.Count ?? 0); i++)
                {
                    if (ports![i].Long("port") is not (>= 1 and <= 65535))
                    {
                        errors.Add(FieldError.Invalid($"spec.ports[{i}].port", ports[i]?["port"]?.ToString() ?? "0", "must be between 1 and 65535, inclusive"));
                    }
                }

                break;
            case "ConfigMap" or "Secret":
                foreach (var field in new[] { "data", "binaryData" })
                {
                    foreach (var key in obj.Object(field)?.Select(p => p.Key) ?? [])
                    {
                        if (!ConfigKey().IsMatch(key))
                        {
                            errors.Add(FieldError.Invalid($"{field}[{key}]", key, "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')"));
                        }
                    }
                }

                break;
            case "HorizontalPodAutoscaler":
                if (obj.Object("spec", "scaleTargetRef") is null)
                {
                    errors.Add(FieldError.Required("spec.scaleTargetRef"));
                }

                if (obj.Long("spec", "maxReplicas") is not >= 1)
                {
                    errors.Add(FieldError.Invalid("spec.maxReplicas", obj["spec"]?["maxReplicas"]?.ToString() ?? "0", "must be greater than or equal to 1"));
                }

                break;
            case "ResourceQuota":
                foreach (var (resource, value) in obj.Object("spec", "hard") ?? [])
                {
                    if (!Quantity.TryParse(value?.ToString(), out _))
                    {
                        errors.Add(FieldError.Invalid($"spec.hard[{resource}]", value?.ToString() ?? "", "must be a valid quantity"));
                    }
                }

                break;
        }

        if (errors.Count > 0)
        {
            throw KubernetesApiException.Invalid(type, name, errors);
        }
    }

    private static void ValidateName(ResourceType type, string name, List<FieldError> errors)
    {
        if (name.Length == 0)
        {
            errors.Add(new FieldError("metadata.name", "FieldValueRequired", "Required value: name or generateName is required"));
            return;
        }

        var (regex, message, max) = type.Kind switch
        {
            "Namespace" => (Dns1123Label(), LabelMessage, 63),
            "Service" => (Dns1035Label(), Dns1035Message, 63),
            _ => (Subdomain(), SubdomainMessage, 253),
        };
        if (name.Length > max)
        {
            errors.Add(FieldError.Invalid("metadata.name", name, $"must be no more than {max} characters"));
        }
        else if (!regex.IsMatch(name))
        {
            errors.Add(FieldError.Invalid("metadata.name", name, message));
        }
    }

    private static void ValidateLabels(JsonObject? labels, string field, List<FieldError> errors)
    {
        foreach (var (key, value) in labels ?? [])
        {
            var text = value?.ToString() ?? "";
            if (text.Length > 63 || !LabelValue().IsMatch(text))
            {
                errors.Add(FieldError.Invalid($"{field}", text, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"));
            }

            var name = key.Contains('/', StringComparison.Ordinal) ? key[(key.IndexOf('/', StringComparison.Ordinal) + 1)..] : key;
            if (name.Length is 0 or > 63 || !LabelValue().IsMatch(name))
            {
                errors.Add(FieldError.Invalid($"{field}", key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"));
            }
        }
    }

    private static void Workload(JsonObject obj, List<FieldError> errors, bool requireSelector)
    {
        var selector = obj.Object("spec", "selector");
        var templateLabels = obj.Object("spec", "template", "metadata", "labels");
        if (requireSelector && selector is null)
        {
            errors.Add(FieldError.Required("spec.selector"));
        }
        else if (selector is not null && LabelSelector.FromObject(selector) is { } parsed)
        {
            if (parsed.IsEmpty)
            {
                errors.Add(FieldError.Invalid("spec.selector", "{}", "empty selector is invalid for deployment"));
            }
            else if (!parsed.Matches(templateLabels?.Select(p => new KeyValuePair<string, string>(p.Key, p.Value?.ToString() ?? "")) ?? []))
            {
                errors.Add(FieldError.Invalid("spec.template.metadata.labels",
                    "map[string]string{" + string.Join(", ", (templateLabels ?? []).Select(p => $"\"{p.Key}\":\"{p.Value}\"")) + "}",
                    "`selector` does not match template `labels`"));
            }
        }

        if (obj.Long("spec", "replicas") is < 0)
        {
            errors.Add(FieldError.Invalid("spec.replicas", obj["spec"]!["replicas"]!.ToString(), "must be greater than or equal to 0"));
        }

        ValidateLabels(templateLabels, "spec.template.metadata.labels", errors);
        PodSpec(obj.Object("spec", "template", "spec"), "spec.template.spec", errors);
    }

    private static void PodSpec(JsonObject? spec, string field, List<FieldError> errors)
    {
        var containers = spec?.Array("containers");
        if (containers is null || containers.Count == 0)
        {
            errors.Add(FieldError.Required($"{field}.containers"));
            return;
        }

        var names = new HashSet<string>();
        for (var i = 0; i < containers.Count; i++)
        {
            var container = containers[i] as JsonObject;
            var name = container.String("name");
            if (string.IsNullOrEmpty(name))
            {
                errors.Add(FieldError.Required($"{field}.containers[{i}].name"));
            }
            else if (!Dns1123Label().IsMatch(name))
            {
                errors.Add(FieldError.Invalid($"{field}.containers[{i}].name", name, LabelMessage));
            }
            else if (!names.Add(name))
            {
                errors.Add(new FieldError($"{field}.containers[{i}].name", "FieldValueDuplicate", $"Duplicate value: \"{name}\""));
            }

            if (string.IsNullOrWhiteSpace(container.String("image")))
            {
                errors.Add(FieldError.Required($"{field}.containers[{i}].image"));
            }
        }
    }
}
