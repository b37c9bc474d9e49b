using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json.Serialization;
using k8s.Models;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// What the KubernetesClient model types say about the JSON of an object: which property names a type has and what
/// each holds. The OpenAPI documents and the fieldValidation check both read it, so they cannot disagree.
/// </summary>
internal static class ModelShape
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<ModelProperty>> PropertiesCache = new();
    private static readonly ConcurrentDictionary<Type, Dictionary<string, ModelProperty>> ByNameCache = new();

    private static readonly Lazy<Dictionary<(string Group, string Version, string Kind), Type>> Entities = new(() =>
        typeof(V1Deployment).Assembly.GetTypes()
            .Select(t => (Type: t, Entity: t.GetCustomAttribute<KubernetesEntityAttribute>()))
            .Where(e => e.Entity is not null && e.Type.Namespace == "k8s.Models")
            .GroupBy(e => (e.Entity!.Group ?? "", e.Entity.ApiVersion ?? "", e.Entity.Kind ?? ""))
            .ToDictionary(g => g.Key, g => g.First().Type));

    /// <summary>The client's model of a simulated kind (<c>V1Deployment</c> for apps/v1 Deployment).</summary>
    public static Type ModelOf(ResourceType type) =>
        Entities.Value.TryGetValue((type.Group, type.Version, type.Kind), out var model)
            ? model
            : throw new InvalidOperationException($"KubernetesClient has no model for {type.ApiVersion} {type.Kind}");

    /// <summary>The model of the kind's list (<c>V1DeploymentList</c>), when the client has one.</summary>
    public static Type? ListModelOf(ResourceType type) =>
        Entities.Value.GetValueOrDefault((type.Group, type.Version, type.Kind + "List"));

    /// <summary>Every kind the client knows, with its group and version, for naming the types they use.</summary>
    public static IEnumerable<(string Group, string Version, string Kind, Type Model)> AllEntities =>
        Entities.Value.Select(e => (e.Key.Group, e.Key.Version, e.Key.Kind, e.Value));

    /// <summary>The JSON properties of a model type, in declaration order.</summary>
    public static IReadOnlyList<ModelProperty> Properties(Type model) => PropertiesCache.GetOrAdd(model, static t =>
        t.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Property: p, Json: p.GetCustomAttribute<JsonPropertyNameAttribute>()?.Name))
            .Where(p => p.Json is not null && p.Property.GetCustomAttribute<JsonIgnoreAttribute>() is null)
            .Select(p => new ModelProperty(p.Json!, p.Property, Classify(p.Property.PropertyType)))
            .ToList());

    /// <summary>The property of a model type with that JSON name; null for a field the model does not have.</summary>
    public static ModelProperty? Property(Type model, string jsonName) =>
        ByNameCache.GetOrAdd(model, static t => Properties(t).ToDictionary(p => p.JsonName, StringComparer.Ordinal)).GetValueOrDefault(jsonName);

    /// <summary>What a CLR type of the models stands for in JSON.</summary>
    public static ModelKind Classify(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string) || type.IsPrimitive || type == typeof(decimal) || type == typeof(DateTime) || type == typeof(DateTimeOffset)
            || type == typeof(byte[]) || type == typeof(IntOrString) || type == typeof(ResourceQuantity) || type.IsEnum)
        {
            return new ModelKind(ModelKindTag.Scalar, type);
        }

        if (type.IsGenericType && type.GetGenericArguments() is [var key, var value] && key == typeof(string)
            && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
        {
            return new ModelKind(ModelKindTag.Map, value);
        }

        if (type.IsGenericType && type.GetGenericArguments() is [var item] && typeof(System.Collections.IEnumerable).IsAssignableFrom(type))
        {
            return new ModelKind(ModelKindTag.Array, item);
        }

        // Not Properties(type): that classifies the properties, and some models contain themselves (JSONSchemaProps).
        return type.Namespace == "k8s.Models" && type.IsClass && type.GetProperties().Any(p => p.IsDefined(typeof(JsonPropertyNameAttribute)))
            ? new ModelKind(ModelKindTag.Object, type)
            : new ModelKind(ModelKindTag.Any, type); // object, JsonElement: free-form JSON (fieldsV1, raw extensions)
    }
}
