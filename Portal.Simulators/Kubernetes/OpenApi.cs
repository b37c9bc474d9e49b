using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using k8s.Models;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The OpenAPI v3 documents of the simulated kinds (<c>/openapi/v3</c> and <c>/openapi/v3/apis/apps/v1</c>, …), generated
/// from the KubernetesClient model types with the API's descriptions. kubectl needs them: <c>explain</c> reads the
/// schemas, <c>apply</c> takes the patch merge keys from them and checks that PATCH accepts <c>fieldValidation</c>
/// before it asks for server-side validation. Schemas are named like the real API server's
/// (<c>io.k8s.api.apps.v1.Deployment</c>). The documents never change while the process runs: they are built once.
/// </summary>
internal static partial class OpenApi
{
    private const string SchemaRef = "#/components/schemas/";
    private const string PatchSchema = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

    private static readonly Lazy<Dictionary<Type, string>> Names = new(NameTypes);
    private static readonly Lazy<(byte[] Index, Dictionary<string, byte[]> Documents)> Built = new(Build);

    /// <summary>The discovery index: one entry per group version, with the hash of its document in the URL.</summary>
    public static byte[] Index => Built.Value.Index;

    /// <summary>The document of <c>api/v1</c> or <c>apis/{group}/{version}</c>, or null for a group version not served.</summary>
    public static byte[]? Document(string groupVersionPath) => Built.Value.Documents.GetValueOrDefault(groupVersionPath);

    /// <summary>The schema name of a model type (<c>io.k8s.api.core.v1.PodSpec</c>).</summary>
    public static string SchemaName(Type model) => Names.Value.TryGetValue(model, out var name) ? name : "io.k8s.simulator." + model.Name;

    public static string GroupVersionPath(string group, string version) => group.Length == 0 ? $"api/{version}" : $"apis/{group}/{version}";

    private static (byte[], Dictionary<string, byte[]>) Build()
    {
        var documents = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        var paths = new JsonObject();
        foreach (var (group, version) in ResourceTypes.GroupVersions)
        {
            var path = GroupVersionPath(group, version);
            var bytes = Json.Serialize(BuildDocument(group, version));
            documents[path] = bytes;
            paths[path] = new JsonObject { ["serverRelativeURL"] = $"/openapi/v3/{path}?hash={Convert.ToHexString(SHA256.HashData(bytes))}" };
        }

        return (Json.Serialize(new JsonObject { ["paths"] = paths }), documents);
    }

    private static JsonObject BuildDocument(string group, string version)
    {
        var schemas = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal)
        {
            [PatchSchema] = new JsonObject
            {
                ["description"] = "Patch is provided to give a concrete name and type to the Kubernetes PATCH request body.",
                ["type"] = "object",
            },
        };
        AddModel(schemas, typeof(V1Status), null);
        var paths = new JsonObject();
        foreach (var type in ResourceTypes.All.Where(t => t.Group == group && t.Version == version))
        {
            var gvk = new JsonObject { ["group"] = group, ["kind"] = type.Kind, ["version"] = version };
            AddModel(schemas, ModelShape.ModelOf(type), gvk);
            if (ModelShape.ListModelOf(type) is { } list)
            {
                AddModel(schemas, list, new JsonObject { ["group"] = group, ["kind"] = type.Kind + "List", ["version"] = version });
            }

            AddPaths(paths, type, gvk);
        }

        var components = new JsonObject();
        foreach (var (name, schema) in schemas)
        {
            components[name] = schema;
        }

        return new JsonObject
        {
            ["openapi"] = "3.0.0",
            ["info"] = new JsonObject { ["title"] = "Kubernetes", ["version"] = Discovery.Version()["gitVersion"]!.DeepClone() },
            ["paths"] = paths,
            ["components"] = new JsonObject
            {
                ["schemas"] = components,
                ["securitySchemes"] = new JsonObject
                {
                    ["BearerToken"] = new JsonObject { ["description"] = "Bearer Token authentication", ["in"] = "header", ["name"] = "authorization", ["type"] = "apiKey" },
                },
            },
        };
    }

    private static void AddModel(SortedDictionary<string, JsonNode> schemas, Type model, JsonObject? gvk)
    {
        var name = SchemaName(model);
        if (schemas.ContainsKey(name))
        {
            return;
        }

        var properties = new JsonObject();
        var schema = new JsonObject();
        if (ModelDocs.Of(model) is { } description)
        {
            schema["description"] = description;
        }

        schema["properties"] = properties;
        schema["type"] = "object";
        if (gvk is not null)
        {
            schema["x-kubernetes-group-version-kind"] = new JsonArray(gvk.DeepClone());
        }

        schemas[name] = schema; // before the properties: the models refer to themselves (JSONSchemaProps)
        foreach (var property in ModelShape.Properties(model))
        {
            var propertySchema = ValueSchema(schemas, property.Property.PropertyType, property.JsonName);
            if (ModelDocs.Of(property.Property) is { } propertyDescription)
            {
                propertySchema["description"] = propertyDescription;
            }

            properties[property.JsonName] = propertySchema;
        }
    }

    private static JsonObject ValueSchema(SortedDictionary<string, JsonNode> schemas, Type clrType, string field)
    {
        var kind = ModelShape.Classify(clrType);
        switch (kind.Tag)
        {
            case ModelKindTag.Object:
                AddModel(schemas, kind.Type, null);
                // allOf around the $ref, as the API server writes it: OpenAPI 3.0 ignores siblings of a bare $ref.
                return new JsonObject { ["allOf"] = new JsonArray(new JsonObject { ["$ref"] = SchemaRef + SchemaName(kind.Type) }), ["default"] = new JsonObject() };
            case ModelKindTag.Array:
                var array = new JsonObject { ["type"] = "array", ["items"] = ValueSchema(schemas, kind.Type, field) };
                var item = ModelShape.Classify(kind.Type);
                if (item.Tag == ModelKindTag.Object && MergeKey(field, item.Type) is { } mergeKey)
                {
                    array["x-kubernetes-patch-merge-key"] = mergeKey;
                    array["x-kubernetes-patch-strategy"] = "merge";
                }
                else if (item.Tag == ModelKindTag.Scalar && Patches.IsMergedPrimitiveList(field))
                {
                    array["x-kubernetes-patch-strategy"] = "merge";
                }

                return array;
            case ModelKindTag.Map:
                return new JsonObject { ["type"] = "object", ["additionalProperties"] = ValueSchema(schemas, kind.Type, field) };
            case ModelKindTag.Any:
                return new JsonObject { ["type"] = "object" };
            default:
                return ScalarSchema(kind.Type);
        }
    }

    // The simulator's strategic merge knows the merge keys; the schema tells kubectl the same ones.
    private static string? MergeKey(string field, Type item)
    {
        var fields = ModelShape.Properties(item).Select(p => p.JsonName).ToList();
        var sample = new JsonObject();
        foreach (var name in fields)
        {
            sample[name] = null;
        }

        return Patches.MergeKey(field, new JsonArray(sample)) is { } key && fields.Contains(key) ? key : null;
    }

    private static JsonObject ScalarSchema(Type type)
    {
        if (type == typeof(IntOrString))
        {
            // As the API server publishes intstr.IntOrString (kubectl explain shows <IntOrString> from the format).
            return new JsonObject { ["type"] = "string", ["format"] = "int-or-string", ["x-kubernetes-int-or-string"] = true };
        }

        var (schemaType, format) = type switch
        {
            _ when type == typeof(bool) => ("boolean", null),
            _ when type == typeof(int) || type == typeof(short) || type == typeof(byte) || type == typeof(uint) => ("integer", "int32"),
            _ when type == typeof(long) || type == typeof(ulong) => ("integer", "int64"),
            _ when type == typeof(double) || type == typeof(float) || type == typeof(decimal) => ("number", "double"),
            _ when type == typeof(DateTime) || type == typeof(DateTimeOffset) => ("string", "date-time"),
            _ when type == typeof(byte[]) => ("string", "byte"),
            _ => ("string", (string?)null), // strings, enums and quantities ("500m", "1Gi")
        };
        var schema = new JsonObject { ["type"] = schemaType };
        if (format is not null)
        {
            schema["format"] = format;
        }

        return schema;
    }

    private static void AddPaths(JsonObject paths, ResourceType type, JsonObject gvk)
    {
        var prefix = "/" + GroupVersionPath(type.Group, type.Version);
        var idPart = OperationGroup(type);
        var scope = type.Namespaced ? "Namespaced" : "";
        var collection = type.Namespaced ? $"{prefix}/namespaces/{{namespace}}/{type.Plural}" : $"{prefix}/{type.Plural}";
        var model = SchemaRef + SchemaName(ModelShape.ModelOf(type));
        var list = ModelShape.ListModelOf(type) is { } listModel ? SchemaRef + SchemaName(listModel) : model;

        var collectionItem = PathItem(type.Namespaced, named: false);
        collectionItem["get"] = Operation("list", $"list{idPart}{scope}{type.Kind}", $"list or watch objects of kind {type.Kind}", gvk, list, null, "labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch");
        if (type.Verbs.Contains("create"))
        {
            collectionItem["post"] = Operation("post", $"create{idPart}{scope}{type.Kind}", $"create a {type.Kind}", gvk, model, model, "dryRun", "fieldManager", "fieldValidation");
        }

        if (type.Verbs.Contains("deletecollection"))
        {
            collectionItem["delete"] = Operation("deletecollection", $"delete{idPart}Collection{scope}{type.Kind}", $"delete collection of {type.Kind}", gvk, SchemaRef + SchemaName(typeof(V1Status)), null, "labelSelector", "fieldSelector", "dryRun", "gracePeriodSeconds", "propagationPolicy");
        }

        paths[collection] = collectionItem;
        AddObjectPath(paths, type, $"{collection}/{{name}}", $"{idPart}{scope}{type.Kind}", gvk, model, type.Kind, delete: true);
        if (type.HasStatus)
        {
            AddObjectPath(paths, type, $"{collection}/{{name}}/status", $"{idPart}{scope}{type.Kind}Status", gvk, model, $"status of the specified {type.Kind}", delete: false);
        }

        if (type.Namespaced)
        {
            var all = PathItem(namespaced: false, named: false);
            all["get"] = Operation("list", $"list{idPart}{type.Kind}ForAllNamespaces", $"list or watch objects of kind {type.Kind}", gvk, list, null, "labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch");
            paths[$"{prefix}/{type.Plural}"] = all;
        }
    }

    private static void AddObjectPath(JsonObject paths, ResourceType type, string path, string id, JsonObject gvk, string model, string what, bool delete)
    {
        var item = PathItem(type.Namespaced, named: true);
        item["get"] = Operation("get", $"read{id}", $"read the specified {what}", gvk, model, null);
        item["put"] = Operation("put", $"replace{id}", $"replace the specified {what}", gvk, model, model, "dryRun", "fieldManager", "fieldValidation");
        item["patch"] = Operation("patch", $"patch{id}", $"partially update the specified {what}", gvk, model, SchemaRef + PatchSchema, "dryRun", "fieldManager", "fieldValidation", "force");
        if (delete && type.Verbs.Contains("delete"))
        {
            item["delete"] = Operation("delete", $"delete{id}", $"delete a {what}", gvk, SchemaRef + SchemaName(typeof(V1Status)), null, "dryRun", "gracePeriodSeconds", "propagationPolicy");
        }

        paths[path] = item;
    }

    private static JsonObject PathItem(bool namespaced, bool named)
    {
        var parameters = new JsonArray();
        if (named)
        {
            parameters.Add(PathParameter("name", "name of the object"));
        }

        if (namespaced)
        {
            parameters.Add(PathParameter("namespace", "object name and auth scope, such as for teams and projects"));
        }

        parameters.Add(QueryParameter("pretty", "string", "If 'true', then the output is pretty printed."));
        return new JsonObject { ["parameters"] = parameters };
    }

    private static JsonObject Operation(string action, string operationId, string description, JsonObject gvk, string response, string? body, params string[] query)
    {
        var operation = new JsonObject
        {
            ["tags"] = new JsonArray(operationId.Length > 0 ? (JsonNode)OperationTag(operationId) : "core"),
            ["description"] = description,
            ["operationId"] = operationId,
        };
        if (query.Length > 0)
        {
            operation["parameters"] = new JsonArray(query.Select(q => (JsonNode)Query(q)).ToArray());
        }

        if (body is not null)
        {
            var mediaTypes = action == "patch"
                ? new[] { "application/apply-patch+yaml", "application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json" }
                : ["*/*"];
            var content = new JsonObject();
            foreach (var mediaType in mediaTypes)
            {
                content[mediaType] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = body } };
            }

            operation["requestBody"] = new JsonObject { ["content"] = content, ["required"] = true };
        }

        var responseContent = new JsonObject();
        foreach (var mediaType in new[] { "application/json", "application/yaml" })
        {
            responseContent[mediaType] = new JsonObject { ["schema"] = new JsonObject { ["$ref"] = response } };
        }

        var code = action == "post" ? "201" : "200";
        operation["responses"] = new JsonObject
        {
            [code] = new JsonObject { ["description"] = code == "201" ? "Created" : "OK", ["content"] = responseContent },
            ["401"] = new JsonObject { ["description"] = "Unauthorized" },
        };
        operation["x-kubernetes-action"] = action;
        // On operations the extension is one object (on schemas it is a list): kubectl's QueryParamVerifierV3 reads it so.
        operation["x-kubernetes-group-version-kind"] = gvk.DeepClone();
        return operation;
    }

    private static string OperationTag(string operationId) => OperationIdVerb().Replace(operationId, "");

    [GeneratedRegex("^[a-z]+")]
    private static partial Regex OperationIdVerb();

    private static JsonObject Query(string name) => name switch
    {
        "fieldValidation" => QueryParameter(name, "string",
            "fieldValidation instructs the server on how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: This will ignore any unknown fields that are silently dropped from the object, and will ignore all but the last duplicate field that the decoder encounters. This is the default behavior prior to v1.23. - Warn: This will send a warning via the standard warning response header for each unknown field that is dropped from the object, and for each duplicate field that is encountered. The request will still succeed if there are no other errors, and will only persist the last of any duplicate fields. This is the default in v1.23+ - Strict: This will fail the request with a BadRequest error if any unknown fields would be dropped from the object, or if any duplicate fields are present. The error returned from the server will contain all unknown and duplicate fields encountered."),
        "fieldManager" => QueryParameter(name, "string", "fieldManager is a name associated with the actor or entity that is making these changes."),
        "dryRun" => QueryParameter(name, "string", "When present, indicates that modifications should not be persisted."),
        "force" => QueryParameter(name, "boolean", "Force is going to \"force\" Apply requests. It means user will re-acquire conflicting fields owned by other people."),
        "watch" => QueryParameter(name, "boolean", "Watch for changes to the described resources and return them as a stream of add, update, and remove notifications."),
        "limit" or "gracePeriodSeconds" => QueryParameter(name, "integer", name == "limit" ? "limit is a maximum number of responses to return for a list call." : "The duration in seconds before the object should be deleted."),
        _ => QueryParameter(name, "string", name switch
        {
            "labelSelector" => "A selector to restrict the list of returned objects by their labels. Defaults to everything.",
            "fieldSelector" => "A selector to restrict the list of returned objects by their fields. Defaults to everything.",
            "continue" => "The continue option should be set when retrieving more results from the server.",
            "resourceVersion" => "resourceVersion sets a constraint on what resource versions a request may be served from.",
            "propagationPolicy" => "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'.",
            _ => name,
        }),
    };

    private static JsonObject QueryParameter(string name, string type, string description) => new()
    {
        ["name"] = name,
        ["in"] = "query",
        ["description"] = description,
        ["schema"] = new JsonObject { ["type"] = type, ["uniqueItems"] = true },
    };

    private static JsonObject PathParameter(string name, string description) => new()
    {
        ["name"] = name,
        ["in"] = "path",
        ["description"] = description,
        ["required"] = true,
        ["schema"] = new JsonObject { ["type"] = "string", ["uniqueItems"] = true },
    };

    // CoreV1, AppsV1, NetworkingV1: the middle of the API server's operation ids.
    private static string OperationGroup(ResourceType type)
    {
        var group = type.Group.Length == 0 ? "core" : type.Group.Split('.')[0];
        return char.ToUpperInvariant(group[0]) + group[1..] + char.ToUpperInvariant(type.Version[0]) + type.Version[1..];
    }

    // The client's model names drop the Go package of the type; the package is recovered from the kind that uses the
    // type first (the core group before the others, so PodSpec is core), and apimachinery's meta types are named first.
    private static Dictionary<Type, string> NameTypes()
    {
        var names = new Dictionary<Type, string>();
        var entities = ModelShape.AllEntities.ToList();
        var entityGroups = entities.GroupBy(e => e.Model).ToDictionary(g => g.Key, g => g.First().Group);
        foreach (var meta in new[] { typeof(V1ObjectMeta), typeof(V1ListMeta), typeof(V1LabelSelector), typeof(V1Status), typeof(V1DeleteOptions), typeof(V1Condition) })
        {
            Walk(meta, "io.k8s.apimachinery.pkg.apis.meta", names, entityGroups);
        }

        foreach (var entity in entities.OrderBy(e => e.Group.Length == 0 ? 0 : 1).ThenBy(e => e.Group, StringComparer.Ordinal)
                     .ThenBy(e => e.Version, StringComparer.Ordinal).ThenBy(e => e.Kind, StringComparer.Ordinal))
        {
            Walk(entity.Model, Package(entity.Group), names, entityGroups);
        }

        return names;
    }

    private static string Package(string group) => "io.k8s.api." + (group.Length == 0 ? "core" : group.Split('.')[0]);

    private static void Walk(Type model, string package, Dictionary<Type, string> names, Dictionary<Type, string> entityGroups)
    {
        if (names.ContainsKey(model))
        {
            return;
        }

        if (entityGroups.TryGetValue(model, out var group))
        {
            package = Package(group);
        }

        var match = VersionedName().Match(model.Name);
        names[model] = match.Success
            ? $"{package}.{match.Groups["version"].Value.ToLower(CultureInfo.InvariantCulture)}.{match.Groups["name"].Value}"
            : $"{package}.v1.{model.Name}";
        foreach (var property in ModelShape.Properties(model))
        {
            var kind = property.Kind;
            while (kind.Tag is ModelKindTag.Array or ModelKindTag.Map)
            {
                kind = ModelShape.Classify(kind.Type);
            }

            if (kind.Tag == ModelKindTag.Object)
            {
                Walk(kind.Type, package, names, entityGroups);
            }
        }
    }

    // V1PodSpec, V2HorizontalPodAutoscaler, V1beta1Foo, and Corev1Event (the client's name when two groups share a kind).
    [GeneratedRegex("^(?:[A-Z][a-z]+(?=v[0-9]))?(?<version>[Vv][0-9]+(?:alpha[0-9]+|beta[0-9]+)?)(?<name>[A-Z].*)$")]
    private static partial Regex VersionedName();
}
