using System.Text.Json.Nodes;

namespace Portal.Core.Audit;

/// <summary>The before and after of the fields a change touched; fields left equal are not recorded.</summary>
public sealed class AuditChanges
{
    private readonly JsonObject _fields = [];

    public bool IsEmpty => _fields.Count == 0;

    public AuditChanges Field<T>(string name, T before, T after)
    {
        if (!EqualityComparer<T>.Default.Equals(before, after))
        {
            _fields[name] = new JsonObject { ["before"] = ToNode(before), ["after"] = ToNode(after) };
        }

        return this;
    }

    /// <summary>For dictionaries and other values compared by content rather than by reference.</summary>
    public AuditChanges Field(string name, IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after)
    {
        if (before.Count != after.Count || before.Any(pair => !after.TryGetValue(pair.Key, out var value) || value != pair.Value))
        {
            _fields[name] = new JsonObject { ["before"] = ToNode(before), ["after"] = ToNode(after) };
        }

        return this;
    }

    /// <summary>For lists compared by content, in order.</summary>
    public AuditChanges Field(string name, IReadOnlyList<string> before, IReadOnlyList<string> after)
    {
        if (!before.SequenceEqual(after, StringComparer.Ordinal))
        {
            _fields[name] = new JsonObject { ["before"] = ToNode(before), ["after"] = ToNode(after) };
        }

        return this;
    }

    public string? ToJson() => IsEmpty ? null : _fields.ToJsonString();

    private static JsonNode? ToNode<T>(T value) => value switch
    {
        null => null,
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        int i => JsonValue.Create(i),
        long l => JsonValue.Create(l),
        DateTimeOffset d => JsonValue.Create(d),
        Enum e => JsonValue.Create(e.ToString().ToLowerInvariant()),
        IReadOnlyList<string> list => new JsonArray([.. list.Select(item => (JsonNode?)JsonValue.Create(item))]),
        IReadOnlyDictionary<string, string> map => new JsonObject(map.Select(p => KeyValuePair.Create(p.Key, (JsonNode?)JsonValue.Create(p.Value)))),
        _ => JsonValue.Create(value.ToString()),
    };
}
