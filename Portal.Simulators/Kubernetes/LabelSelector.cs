using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// A label selector, in the query-string syntax (<c>app=web,tier!=db,env in (a,b),!legacy</c>) or the object form
/// of a deployment's <c>spec.selector</c> (<c>matchLabels</c>, <c>matchExpressions</c>).
/// </summary>
internal sealed class LabelSelector
{
    private readonly List<Requirement> _requirements;

    private LabelSelector(List<Requirement> requirements) => _requirements = requirements;

    public static LabelSelector Everything { get; } = new([]);

    public bool IsEmpty => _requirements.Count == 0;

    public bool Matches(IEnumerable<KeyValuePair<string, string>> labels)
    {
        if (_requirements.Count == 0)
        {
            return true;
        }

        var map = labels as IReadOnlyDictionary<string, string> ?? labels.ToDictionary(p => p.Key, p => p.Value);
        return _requirements.All(r => r.Matches(map));
    }

    public bool Matches(StoredObject obj) => Matches(obj.Labels);

    public static LabelSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Everything;
        }

        var requirements = new List<Requirement>();
        foreach (var term in SplitTerms(text))
        {
            requirements.Add(ParseTerm(term.Trim()));
        }

        return new LabelSelector(requirements);
    }

    /// <summary>The <c>metav1.LabelSelector</c> object form; a null selector selects nothing, an empty one everything.</summary>
    public static LabelSelector? FromObject(JsonObject? selector)
    {
        if (selector is null)
        {
            return null;
        }

        var requirements = new List<Requirement>();
        foreach (var (key, value) in selector.Object("matchLabels") ?? [])
        {
            requirements.Add(new Requirement(key, Operator.Equals, [value?.ToString() ?? ""]));
        }

        foreach (var expression in selector.Array("matchExpressions")?.OfType<JsonObject>() ?? [])
        {
            var values = expression.Array("values")?.Select(v => v?.ToString() ?? "").ToList() ?? [];
            var op = expression.String("operator") switch
            {
                "In" => Operator.In,
                "NotIn" => Operator.NotIn,
                "Exists" => Operator.Exists,
                "DoesNotExist" => Operator.DoesNotExist,
                var other => throw KubernetesApiException.BadRequest($"\"{other}\" is not a valid label selector operator"),
            };
            requirements.Add(new Requirement(expression.String("key") ?? "", op, values));
        }

        return new LabelSelector(requirements);
    }

    /// <summary>The query-string form, as a Scale's <c>status.selector</c> reports it.</summary>
    public override string ToString() => string.Join(",", _requirements.Select(r => r.ToString()));

    // Commas inside "in (a,b)" do not separate terms.
    private static IEnumerable<string> SplitTerms(string text)
    {
        var depth = 0;
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            switch (text[i])
            {
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
                case ',' when depth == 0:
                    yield return text[start..i];
                    start = i + 1;
                    break;
            }
        }

        yield return text[start..];
    }

    private static Requirement ParseTerm(string term)
    {
        if (term.StartsWith('!'))
        {
            return new Requirement(term[1..].Trim(), Operator.DoesNotExist, []);
        }

        foreach (var (token, op) in new[] { ("!=", Operator.NotEquals), ("==", Operator.Equals), ("=", Operator.Equals) })
        {
            var at = term.IndexOf(token, StringComparison.Ordinal);
            if (at > 0)
            {
                return new Requirement(term[..at].Trim(), op, [term[(at + token.Length)..].Trim()]);
            }
        }

        var parts = term.Split(' ', 2, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 2)
        {
            var rest = parts[1];
            var setOp = rest.StartsWith("notin", StringComparison.Ordinal) ? Operator.NotIn
                : rest.StartsWith("in", StringComparison.Ordinal) ? Operator.In
                : throw KubernetesApiException.BadRequest($"unable to parse requirement: {term}");
            var open = rest.IndexOf('(', StringComparison.Ordinal);
            var close = rest.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                throw KubernetesApiException.BadRequest($"unable to parse requirement: found '{rest}', expected: '('");
            }

            var values = rest[(open + 1)..close].Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
            return new Requirement(parts[0], setOp, values);
        }

        if (term.Length == 0 || term.Contains(' ', StringComparison.Ordinal))
        {
            throw KubernetesApiException.BadRequest($"unable to parse requirement: {term}");
        }

        return new Requirement(term, Operator.Exists, []);
    }

    private enum Operator
    {
        Equals,
        NotEquals,
        In,
        NotIn,
        Exists,
        DoesNotExist,
    }

    private sealed record Requirement(string Key, Operator Op, List<string> Values)
    {
        public bool Matches(IReadOnlyDictionary<string, string> labels)
        {
            var present = labels.TryGetValue(Key, out var value);
            return Op switch
            {
                Operator.Equals or Operator.In => present && Values.Contains(value!),
                Operator.NotEquals or Operator.NotIn => !present || !Values.Contains(value!),
                Operator.Exists => present,
                Operator.DoesNotExist => !present,
                _ => false,
            };
        }

        public override string ToString() => Op switch
        {
            Operator.Equals => $"{Key}={Values[0]}",
            Operator.NotEquals => $"{Key}!={Values[0]}",
            Operator.In => $"{Key} in ({string.Join(",", Values)})",
            Operator.NotIn => $"{Key} notin ({string.Join(",", Values)})",
            Operator.Exists => Key,
            _ => $"!{Key}",
        };
    }
}
