using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The admission plug-ins that change or refuse what our provisioning creates: LimitRanger (container defaults)
/// and ResourceQuota (403 Forbidden with the API server's message when a quota would be exceeded).
/// </summary>
internal static class Admission
{
    private static readonly string[] ComputeResources = ["requests.cpu", "requests.memory", "limits.cpu", "limits.memory"];

    public static void ApplyLimitRanges(ObjectStore store, string ns, JsonObject podSpec)
    {
        foreach (var range in store.List(ResourceTypes.LimitRanges, ns))
        {
            foreach (var limit in range.Object.Array("spec", "limits")?.OfType<JsonObject>().Where(l => l.String("type") == "Container") ?? [])
            {
                foreach (var container in podSpec.Array("containers")?.OfType<JsonObject>() ?? [])
                {
                    var resources = container.Ensure("resources");
                    var defaults = limit.Object("default");
                    var defaultRequests = limit.Object("defaultRequest") ?? defaults;
                    foreach (var (resource, value) in defaults ?? [])
                    {
                        resources.Ensure("limits")[resource] ??= value?.DeepClone();
                    }

                    foreach (var (resource, value) in defaultRequests ?? [])
                    {
                        resources.Ensure("requests")[resource] ??= value?.DeepClone();
                    }
                }
            }
        }
    }

    public static void Admit(ObjectStore store, ResourceType type, string ns, JsonObject obj)
    {
        foreach (var quota in store.List(ResourceTypes.ResourceQuotas, ns))
        {
            var hard = quota.Object.Object("spec", "hard");
            if (hard is null)
            {
                continue;
            }

            var requested = Requested(type, obj);
            var missing = new List<string>();
            if (type == ResourceTypes.Pods)
            {
                foreach (var resource in ComputeResources.Where(r => hard.ContainsKey(r) || (hard.ContainsKey(r.Split('.')[1]) && r.StartsWith("requests", StringComparison.Ordinal))))
                {
                    var (section, name) = (resource.Split('.')[0], resource.Split('.')[1]);
                    var lacking = obj.Array("spec", "containers")?.OfType<JsonObject>().Where(c => c.String("resources", section, name) is null).Select(c => c.String("name") ?? "").ToList() ?? [];
                    if (lacking.Count > 0)
                    {
                        missing.Add($"{resource} for: {string.Join(",", lacking)}");
                    }
                }
            }

            if (missing.Count > 0)
            {
                throw KubernetesApiException.Forbidden(type, obj.Name(), $"failed quota: {quota.Name}: must specify {string.Join("; ", missing)}");
            }

            var used = Used(store, ns, hard.Select(h => h.Key));
            var exceeded = new List<string>();
            foreach (var (resource, limitNode) in hard)
            {
                if (!requested.TryGetValue(resource, out var more) || more == 0)
                {
                    continue;
                }

                var limit = Quantity.Parse(limitNode?.ToString());
                if (used.GetValueOrDefault(resource) + more > limit)
                {
                    exceeded.Add(resource);
                }
            }

            if (exceeded.Count > 0)
            {
                string Figures(Func<string, decimal> value) => string.Join(",", exceeded.Select(r => $"{r}={Quantity.Format(value(r))}"));
                throw KubernetesApiException.Forbidden(type, obj.Name(),
                    $"exceeded quota: {quota.Name}, requested: {Figures(r => requested[r])}, used: {Figures(r => used.GetValueOrDefault(r))}, limited: {Figures(r => Quantity.Parse(hard.String(r)))}");
            }
        }
    }

    /// <summary>What one object counts against each quota resource.</summary>
    public static Dictionary<string, decimal> Requested(ResourceType type, JsonObject obj)
    {
        var counts = new Dictionary<string, decimal>
        {
            [CountName(type)] = 1,
        };
        switch (type.Plural)
        {
            case "pods":
                counts["pods"] = 1;
                foreach (var container in obj.Array("spec", "containers")?.OfType<JsonObject>() ?? [])
                {
                    foreach (var section in new[] { "requests", "limits" })
                    {
                        foreach (var resource in new[] { "cpu", "memory" })
                        {
                            var amount = Quantity.Parse(container.String("resources", section, resource));
                            counts[$"{section}.{resource}"] = counts.GetValueOrDefault($"{section}.{resource}") + amount;
                            if (section == "requests")
                            {
                                counts[resource] = counts.GetValueOrDefault(resource) + amount;
                            }
                        }
                    }
                }

                break;
            case "services" or "secrets" or "configmaps" or "resourcequotas":
                counts[type.Plural] = 1;
                break;
        }

        return counts;
    }

    private static string CountName(ResourceType type) => type.Group.Length == 0 ? $"count/{type.Plural}" : $"count/{type.Plural}.{type.Group}";

    /// <summary>What the namespace already uses of <paramref name="resources"/> (terminated pods no longer count).</summary>
    public static Dictionary<string, decimal> Used(ObjectStore store, string ns, IEnumerable<string> resources)
    {
        var used = new Dictionary<string, decimal>();
        foreach (var resource in resources)
        {
            used[resource] = 0;
        }

        foreach (var type in ResourceTypes.All.Where(t => t.Namespaced))
        {
            var relevant = type == ResourceTypes.Pods || used.ContainsKey(CountName(type)) || used.ContainsKey(type.Plural);
            if (!relevant)
            {
                continue;
            }

            foreach (var obj in store.List(type, ns))
            {
                if (type == ResourceTypes.Pods && obj.Object.String("status", "phase") is "Succeeded" or "Failed")
                {
                    continue;
                }

                foreach (var (resource, amount) in Requested(type, obj.Object))
                {
                    if (used.ContainsKey(resource))
                    {
                        used[resource] += amount;
                    }
                }
            }
        }

        return used;
    }
}
