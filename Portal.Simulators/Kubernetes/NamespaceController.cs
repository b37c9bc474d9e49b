using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// New namespaces get their default service account and root CA config map; a deleted namespace stays Terminating
/// for a while, then everything in it is removed and the namespace goes.
/// </summary>
internal sealed class NamespaceController(ClusterApi api, KubernetesSimulatorOptions options, ClusterControllers queue)
{
    private readonly Dictionary<string, DateTimeOffset> _terminationDue = [];

    public void Sync(string name)
    {
        var ns = api.Store.Get(ResourceTypes.Namespaces, "", name);
        if (ns is null)
        {
            _terminationDue.Remove(name);
            return;
        }

        if (!ns.Object.IsBeingDeleted())
        {
            EnsureDefaults(name);
            return;
        }

        var now = api.Now;
        if (!_terminationDue.TryGetValue(ns.Uid, out var due))
        {
            due = now + options.NamespaceTerminationDelay;
            _terminationDue[ns.Uid] = due;
        }

        if (now < due)
        {
            queue.EnqueueAfter(new WorkItem("Namespace", "", name), due - now);
            return;
        }

        foreach (var obj in api.Store.InNamespace(name).ToList())
        {
            api.Store.Remove(obj.Type, obj.Namespace, obj.Name);
        }

        _terminationDue.Remove(ns.Uid);
        api.Store.Remove(ResourceTypes.Namespaces, "", name);
    }

    private void EnsureDefaults(string ns)
    {
        if (api.Store.Get(ResourceTypes.ServiceAccounts, ns, "default") is null)
        {
            api.Create(ResourceTypes.ServiceAccounts, ns, new JsonObject { ["metadata"] = new JsonObject { ["name"] = "default" } }, "kube-controller-manager");
        }

        if (api.Store.Get(ResourceTypes.ConfigMaps, ns, "kube-root-ca.crt") is null)
        {
            api.Create(ResourceTypes.ConfigMaps, ns, new JsonObject
            {
                ["metadata"] = new JsonObject
                {
                    ["name"] = "kube-root-ca.crt",
                    ["annotations"] = new JsonObject { ["kubernetes.io/description"] = "Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. No other usage is guaranteed across distributions of Kubernetes clusters." },
                },
                ["data"] = new JsonObject { ["ca.crt"] = "-----BEGIN CERTIFICATE-----\nsimulated\n-----END CERTIFICATE-----\n" },
            }, "kube-root-ca-cert-publisher");
        }
    }
}
