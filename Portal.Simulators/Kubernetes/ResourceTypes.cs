namespace Portal.Simulators.Kubernetes;

/// <summary>The resources the simulator serves: the ones AuthSome Cloud's provisioning uses, with the real names and verbs.</summary>
public static class ResourceTypes
{
    private static readonly string[] AllVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];

    // The real API server has no deletecollection on namespaces: a whole cluster is never wiped in one call.
    private static readonly string[] NamespaceVerbs = ["create", "delete", "get", "list", "patch", "update", "watch"];

    public static readonly ResourceType Namespaces = new("", "v1", "namespaces", "Namespace", false, NamespaceVerbs, ["status", "finalize"], ["ns"]);
    public static readonly ResourceType Pods = new("", "v1", "pods", "Pod", true, AllVerbs, ["status", "log"], ["po"]);
    public static readonly ResourceType Services = new("", "v1", "services", "Service", true, AllVerbs, ["status"], ["svc"]);
    public static readonly ResourceType Secrets = new("", "v1", "secrets", "Secret", true, AllVerbs, [], []);
    public static readonly ResourceType ConfigMaps = new("", "v1", "configmaps", "ConfigMap", true, AllVerbs, [], ["cm"]);
    public static readonly ResourceType ServiceAccounts = new("", "v1", "serviceaccounts", "ServiceAccount", true, AllVerbs, [], ["sa"]);
    public static readonly ResourceType ResourceQuotas = new("", "v1", "resourcequotas", "ResourceQuota", true, AllVerbs, ["status"], ["quota"]);
    public static readonly ResourceType LimitRanges = new("", "v1", "limitranges", "LimitRange", true, AllVerbs, [], ["limits"]);
    public static readonly ResourceType Events = new("", "v1", "events", "Event", true, AllVerbs, [], ["ev"]);
    public static readonly ResourceType Deployments = new("apps", "v1", "deployments", "Deployment", true, AllVerbs, ["status", "scale"], ["deploy"]);
    public static readonly ResourceType ReplicaSets = new("apps", "v1", "replicasets", "ReplicaSet", true, AllVerbs, ["status", "scale"], ["rs"]);
    public static readonly ResourceType NetworkPolicies = new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, AllVerbs, [], ["netpol"]);
    public static readonly ResourceType Ingresses = new("networking.k8s.io", "v1", "ingresses", "Ingress", true, AllVerbs, ["status"], ["ing"]);
    public static readonly ResourceType HorizontalPodAutoscalers = new("autoscaling", "v2", "horizontalpodautoscalers", "HorizontalPodAutoscaler", true, AllVerbs, ["status"], ["hpa"]);
    public static readonly ResourceType PodDisruptionBudgets = new("policy", "v1", "poddisruptionbudgets", "PodDisruptionBudget", true, AllVerbs, ["status"], ["pdb"]);
    public static readonly ResourceType Jobs = new("batch", "v1", "jobs", "Job", true, AllVerbs, ["status"], []);

    public static IReadOnlyList<ResourceType> All { get; } =
    [
        Namespaces, Pods, Services, Secrets, ConfigMaps, ServiceAccounts, ResourceQuotas, LimitRanges, Events,
        Deployments, ReplicaSets, NetworkPolicies, Ingresses, HorizontalPodAutoscalers, PodDisruptionBudgets, Jobs,
    ];

    /// <summary>Group versions in the order discovery lists them (core first, like the real server).</summary>
    public static IReadOnlyList<(string Group, string Version)> GroupVersions { get; } =
        All.Select(t => (t.Group, t.Version)).Distinct().ToList();

    public static ResourceType? Find(string group, string version, string plural) =>
        All.FirstOrDefault(t => t.Group == group && t.Version == version && t.Plural == plural);

    public static ResourceType? FindByKind(string apiVersion, string kind) =>
        All.FirstOrDefault(t => t.ApiVersion == apiVersion && t.Kind == kind);

    /// <summary>The key used in the state file and in fault rules.</summary>
    public static ResourceType? FindByKey(string key) => All.FirstOrDefault(t => t.ToString() == key);
}
