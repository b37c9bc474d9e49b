using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>The discovery documents (/version, /api, /apis, resource lists) in the shapes the real API server sends.</summary>
internal static class Discovery
{
    /// <summary>The Kubernetes version the simulator claims to be: the API it mimics is that of 1.34.</summary>
    public static JsonObject Version() => new()
    {
        ["major"] = "1",
        ["minor"] = "34",
        ["gitVersion"] = "v1.34.0-authsome-simulator",
        ["gitCommit"] = "0000000000000000000000000000000000000000",
        ["gitTreeState"] = "clean",
        ["buildDate"] = "2025-08-27T00:00:00Z",
        ["goVersion"] = "go1.24.6",
        ["compiler"] = "gc",
        ["platform"] = "linux/amd64",
    };

    public static JsonObject CoreVersions(string serverAddress) => new()
    {
        ["kind"] = "APIVersions",
        ["versions"] = new JsonArray("v1"),
        ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = serverAddress }),
    };

    public static JsonObject Groups() => new()
    {
        ["kind"] = "APIGroupList",
        ["apiVersion"] = "v1",
        ["groups"] = new JsonArray(ResourceTypes.GroupVersions.Where(gv => gv.Group.Length > 0).Select(gv => (JsonNode)Group(gv.Group)).ToArray()),
    };

    public static JsonObject? GroupDocument(string group) =>
        ResourceTypes.GroupVersions.Any(gv => gv.Group == group && group.Length > 0) ? Group(group, withKind: true) : null;

    private static JsonObject Group(string group, bool withKind = false)
    {
        var version = ResourceTypes.GroupVersions.First(gv => gv.Group == group).Version;
        var document = new JsonObject();
        if (withKind)
        {
            document["kind"] = "APIGroup";
            document["apiVersion"] = "v1";
        }

        document["name"] = group;
        document["versions"] = new JsonArray(new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version });
        document["preferredVersion"] = new JsonObject { ["groupVersion"] = $"{group}/{version}", ["version"] = version };
        return document;
    }

    public static JsonObject? Resources(string group, string version)
    {
        var types = ResourceTypes.All.Where(t => t.Group == group && t.Version == version).ToList();
        if (types.Count == 0)
        {
            return null;
        }

        var resources = new JsonArray();
        foreach (var type in types)
        {
            var resource = new JsonObject
            {
                ["name"] = type.Plural,
                ["singularName"] = type.Singular,
                ["namespaced"] = type.Namespaced,
                ["kind"] = type.Kind,
                ["verbs"] = new JsonArray(type.Verbs.Select(v => (JsonNode)v).ToArray()),
            };
            if (type.ShortNames.Count > 0)
            {
                resource["shortNames"] = new JsonArray(type.ShortNames.Select(s => (JsonNode)s).ToArray());
            }

            if (type.Kind is "Pod" or "Service" or "Deployment" or "ReplicaSet" or "Job" or "HorizontalPodAutoscaler")
            {
                resource["categories"] = new JsonArray("all");
            }

            resources.Add(resource);
            foreach (var subresource in type.Subresources)
            {
                var (kind, subGroup, subVersion, verbs) = subresource switch
                {
                    "scale" => ("Scale", "autoscaling", "v1", new[] { "get", "patch", "update" }),
                    "log" => ("Pod", "", "v1", new[] { "get" }),
                    "finalize" => (type.Kind, "", "v1", new[] { "update" }),
                    _ => (type.Kind, "", "", new[] { "get", "patch", "update" }),
                };
                var sub = new JsonObject
                {
                    ["name"] = $"{type.Plural}/{subresource}",
                    ["singularName"] = "",
                    ["namespaced"] = type.Namespaced,
                };
                if (subGroup.Length > 0)
                {
                    sub["group"] = subGroup;
                    sub["version"] = subVersion;
                }

                sub["kind"] = kind;
                sub["verbs"] = new JsonArray(verbs.Select(v => (JsonNode)v).ToArray());
                resources.Add(sub);
            }
        }

        return new JsonObject
        {
            ["kind"] = "APIResourceList",
            ["apiVersion"] = "v1",
            ["groupVersion"] = group.Length == 0 ? version : $"{group}/{version}",
            ["resources"] = resources,
        };
    }
}
