using System.Globalization;
using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>Writes core/v1 Events about objects, as the scheduler, kubelet and controllers do.</summary>
internal sealed class EventRecorder(ClusterApi api)
{
    private long _sequence;

    public void Normal(StoredObject about, string reason, string message, string component) => Record(about, "Normal", reason, message, component);

    public void Warning(StoredObject about, string reason, string message, string component) => Record(about, "Warning", reason, message, component);

    private void Record(StoredObject about, string type, string reason, string message, string component)
    {
        var now = api.Now;
        var name = $"{about.Name}.{(now.UtcTicks + Interlocked.Increment(ref _sequence)).ToString("x", CultureInfo.InvariantCulture)}";
        var involved = new JsonObject
        {
            ["kind"] = about.Type.Kind,
            ["namespace"] = about.Namespace,
            ["name"] = about.Name,
            ["uid"] = about.Uid,
            ["apiVersion"] = about.Type.ApiVersion,
            ["resourceVersion"] = about.ResourceVersion.ToString(CultureInfo.InvariantCulture),
        };
        if (about.Type == ResourceTypes.Pods && about.Object.Array("spec", "containers")?.FirstOrDefault() is JsonObject container)
        {
            involved["fieldPath"] = $"spec.containers{{{container.String("name")}}}";
        }

        var ev = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = about.Namespace.Length > 0 ? about.Namespace : "default" },
            ["involvedObject"] = involved,
            ["reason"] = reason,
            ["message"] = message,
            ["source"] = new JsonObject { ["component"] = component, ["host"] = component == "kubelet" ? Kubelet.NodeName : null },
            ["firstTimestamp"] = Json.Timestamp(now),
            ["lastTimestamp"] = Json.Timestamp(now),
            ["count"] = 1,
            ["type"] = type,
            ["eventTime"] = null,
            ["reportingComponent"] = component,
            ["reportingInstance"] = component == "kubelet" ? Kubelet.NodeName : "",
        };
        try
        {
            api.Create(ResourceTypes.Events, ev.Object("metadata")!.String("namespace"), ev, component);
        }
        catch (KubernetesApiException)
        {
            // An event about an object in a namespace being removed has nowhere to go; the real recorder drops it too.
        }
    }
}
