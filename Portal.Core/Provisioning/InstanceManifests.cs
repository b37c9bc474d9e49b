using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using k8s.Models;

namespace Portal.Core.Provisioning;

/// <summary>The Kubernetes objects of one instance, as server-side apply bodies (only the fields we own).</summary>
public static class InstanceManifests
{
    public const string Name = "authsome";
    public const int Port = 8080;
    public const string HealthPath = "/v1/auth/health";
    public const string FieldManager = "authsome-portal";

    /// <summary>
    /// The field manager that keeps the Deployment's first replica count once we stop applying it, so that the
    /// HorizontalPodAutoscaler owns <c>spec.replicas</c> from then on and server-side apply never fights it.
    /// </summary>
    public const string ReplicasHandoverManager = "authsome-portal-replicas-handover";

    public const string MigrationName = "authsome-migrate";

    public const string WorkspaceLabel = "authsome.cloud/workspace";
    public const string ApplicationLabel = "authsome.cloud/application";
    public const string EnvironmentLabel = "authsome.cloud/environment";
    public const string RegionLabel = "authsome.cloud/region";
    public const string ConfigHashAnnotation = "authsome.cloud/config-hash";
    public const string RestartedAtAnnotation = "authsome.cloud/restarted-at";

    public static Dictionary<string, string> Labels(InstanceSpec spec) => new()
    {
        ["app.kubernetes.io/name"] = Name,
        ["app.kubernetes.io/managed-by"] = FieldManager,
        [WorkspaceLabel] = spec.Application.WorkspaceId,
        [ApplicationLabel] = spec.Application.Id,
        [EnvironmentLabel] = spec.Application.Environment.ToString().ToLowerInvariant(),
        [RegionLabel] = spec.Application.Region,
    };

    private static Dictionary<string, string> Selector => new() { ["app.kubernetes.io/name"] = Name };

    private static V1ObjectMeta Meta(InstanceSpec spec, string name) => new() { Name = name, NamespaceProperty = spec.Namespace, Labels = Labels(spec) };

    public static V1Namespace Namespace(InstanceSpec spec) => new()
    {
        ApiVersion = "v1",
        Kind = "Namespace",
        Metadata = new V1ObjectMeta { Name = spec.Namespace, Labels = Labels(spec) },
    };

    public static V1ServiceAccount ServiceAccount(InstanceSpec spec) => new()
    {
        ApiVersion = "v1",
        Kind = "ServiceAccount",
        Metadata = Meta(spec, Name),
        AutomountServiceAccountToken = false,
    };

    public static V1Secret Secret(InstanceSpec spec) => new()
    {
        ApiVersion = "v1",
        Kind = "Secret",
        Metadata = Meta(spec, Name),
        Type = "Opaque",
        Data = new Dictionary<string, byte[]>
        {
            ["DATABASE_URL"] = Encoding.UTF8.GetBytes(spec.DatabaseUrl),
            ["REDIS_URL"] = Encoding.UTF8.GetBytes(spec.RedisUrl),
            ["SIGNING_KEY"] = Encoding.UTF8.GetBytes(spec.SigningKey),
        },
    };

    public static V1ConfigMap ConfigMap(InstanceSpec spec) => new()
    {
        ApiVersion = "v1",
        Kind = "ConfigMap",
        Metadata = Meta(spec, Name),
        Data = ConfigData(spec),
    };

    private static Dictionary<string, string> ConfigData(InstanceSpec spec) => new()
    {
        ["AUTHSOME_APPLICATION_ID"] = spec.Application.Id,
        ["AUTHSOME_ENVIRONMENT"] = spec.Application.Environment.ToString().ToLowerInvariant(),
        ["AUTHSOME_REGION"] = spec.Application.Region,
        ["AUTHSOME_PORT"] = Port.ToString(CultureInfo.InvariantCulture),
        ["REDIS_KEY_PREFIX"] = spec.Names.RedisKeyPrefix,
        ["config.json"] = spec.Application.Configuration,
    };

    /// <summary>Changes when the configuration does, so that a new ConfigMap rolls the pods.</summary>
    public static string ConfigHash(InstanceSpec spec) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', ConfigData(spec).OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value)))))[..16];

    /// <summary>
    /// Always on the pod template, so every server-side apply (provisioning's, a roll's, drift repair's) keeps them:
    /// the configuration's hash, and the last restart asked for. A change of either rolls the pods.
    /// </summary>
    public static Dictionary<string, string> PodAnnotations(InstanceSpec spec)
    {
        var annotations = new Dictionary<string, string>(spec.Options.PodAnnotations) { [ConfigHashAnnotation] = ConfigHash(spec) };
        if (spec.Application.RestartedAt is { } restartedAt)
        {
            annotations[RestartedAtAnnotation] = restartedAt.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        }

        return annotations;
    }

    private static double CpuCores(string cpu) => new ResourceQuantity(cpu).ToDouble();

    public static V1ResourceQuota ResourceQuota(InstanceSpec spec)
    {
        // Room for the autoscaler's largest size plus one pod of a rolling update.
        var pods = spec.Options.MaxReplicas + 1;
        var cpu = new ResourceQuantity((CpuCores(spec.Options.Cpu) * pods).ToString(CultureInfo.InvariantCulture));
        var memory = new ResourceQuantity(((long)new ResourceQuantity(spec.Options.Memory).ToDecimal() * pods).ToString(CultureInfo.InvariantCulture));
        return new V1ResourceQuota
        {
            ApiVersion = "v1",
            Kind = "ResourceQuota",
            Metadata = Meta(spec, Name),
            Spec = new V1ResourceQuotaSpec
            {
                Hard = new Dictionary<string, ResourceQuantity>
                {
                    ["pods"] = new(((pods * 2) + 2).ToString(CultureInfo.InvariantCulture)),
                    ["requests.cpu"] = cpu,
                    ["limits.cpu"] = cpu,
                    ["requests.memory"] = memory,
                    ["limits.memory"] = memory,
                },
            },
        };
    }

    public static V1LimitRange LimitRange(InstanceSpec spec) => new()
    {
        ApiVersion = "v1",
        Kind = "LimitRange",
        Metadata = Meta(spec, Name),
        Spec = new V1LimitRangeSpec
        {
            Limits =
            [
                new V1LimitRangeItem
                {
                    Type = "Container",
                    DefaultProperty = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("250m"), ["memory"] = new("256Mi") },
                    DefaultRequest = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") },
                    Max = Resources(spec),
                },
            ],
        },
    };

    public static V1NetworkPolicy NetworkPolicy(InstanceSpec spec) => new()
    {
        ApiVersion = "networking.k8s.io/v1",
        Kind = "NetworkPolicy",
        Metadata = Meta(spec, Name),
        Spec = new V1NetworkPolicySpec
        {
            PodSelector = new V1LabelSelector { MatchLabels = Selector },
            PolicyTypes = ["Ingress", "Egress"],
            Ingress =
            [
                new V1NetworkPolicyIngressRule
                {
                    FromProperty =
                    [
                        new V1NetworkPolicyPeer
                        {
                            NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = spec.Options.ProxyNamespace } },
                            PodSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app.kubernetes.io/component"] = "proxy" } },
                        },
                    ],
                    Ports = [new V1NetworkPolicyPort { Protocol = "TCP", Port = Port }],
                },
            ],
            Egress =
            [
                new V1NetworkPolicyEgressRule
                {
                    To = [new V1NetworkPolicyPeer { NamespaceSelector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = "kube-system" } } }],
                    Ports = [new V1NetworkPolicyPort { Protocol = "UDP", Port = 53 }, new V1NetworkPolicyPort { Protocol = "TCP", Port = 53 }],
                },
                new V1NetworkPolicyEgressRule
                {
                    Ports =
                    [
                        new V1NetworkPolicyPort { Protocol = "TCP", Port = spec.PostgresPort },
                        new V1NetworkPolicyPort { Protocol = "TCP", Port = spec.RedisPort },
                        new V1NetworkPolicyPort { Protocol = "TCP", Port = 443 },
                    ],
                },
            ],
        },
    };

    private static Dictionary<string, ResourceQuantity> Resources(InstanceSpec spec) =>
        new() { ["cpu"] = new(spec.Options.Cpu), ["memory"] = new(spec.Options.Memory) };

    private static V1Probe Probe(int periodSeconds, int failureThreshold) => new()
    {
        HttpGet = new V1HTTPGetAction { Path = HealthPath, Port = Port },
        PeriodSeconds = periodSeconds,
        FailureThreshold = failureThreshold,
        TimeoutSeconds = 2,
    };

    /// <summary>
    /// The Deployment; with <paramref name="replicas"/> only when it is created: after that the autoscaler owns the
    /// replica count (see <see cref="ReplicasHandoverManager"/>).
    /// </summary>
    public static V1Deployment Deployment(InstanceSpec spec, int? replicas = null) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = Meta(spec, Name),
        Spec = new V1DeploymentSpec
        {
            Replicas = replicas,
            Selector = new V1LabelSelector { MatchLabels = Selector },
            Strategy = new V1DeploymentStrategy
            {
                Type = "RollingUpdate",
                RollingUpdate = new V1RollingUpdateDeployment { MaxSurge = 1, MaxUnavailable = 0 },
            },
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta
                {
                    Labels = Labels(spec),
                    Annotations = PodAnnotations(spec),
                },
                Spec = new V1PodSpec
                {
                    ServiceAccountName = Name,
                    AutomountServiceAccountToken = false,
                    SecurityContext = PodSecurity(),
                    Containers =
                    [
                        new V1Container
                        {
                            Name = Name,
                            Image = spec.Options.Image,
                            Ports = [new V1ContainerPort { Name = "http", ContainerPort = Port, Protocol = "TCP" }],
                            EnvFrom =
                            [
                                new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = Name } },
                                new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = Name } },
                            ],
                            Resources = new V1ResourceRequirements { Requests = Resources(spec), Limits = Resources(spec) },
                            ReadinessProbe = Probe(periodSeconds: 5, failureThreshold: 3),
                            LivenessProbe = Probe(periodSeconds: 10, failureThreshold: 6),
                            SecurityContext = ContainerSecurity(),
                            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
                        },
                    ],
                    Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }],
                },
            },
        },
    };

    /// <summary>A Deployment body holding only the replica count, applied once by <see cref="ReplicasHandoverManager"/>.</summary>
    public static V1Deployment DeploymentReplicas(InstanceSpec spec, int replicas) => new()
    {
        ApiVersion = "apps/v1",
        Kind = "Deployment",
        Metadata = new V1ObjectMeta { Name = Name, NamespaceProperty = spec.Namespace },
        Spec = new V1DeploymentSpec { Replicas = replicas },
    };

    /// <summary>
    /// The Job name of an image: a new image gets a new migration, a re-run finds the finished one.
    /// </summary>
    public static string MigrationJobName(string image) =>
        MigrationName + "-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(image)))[..12];

    /// <summary>The labels of the migration's pods: not the instance's, so that no Service, PDB or rollout counts them.</summary>
    public static Dictionary<string, string> MigrationPodLabels(InstanceSpec spec)
    {
        var labels = Labels(spec);
        labels["app.kubernetes.io/name"] = MigrationName;
        labels["app.kubernetes.io/component"] = "migration";
        return labels;
    }

    /// <summary>The instance's database migration: the server's own image run with <c>migrate</c>, once per image.</summary>
    public static V1Job MigrationJob(InstanceSpec spec) => new()
    {
        ApiVersion = "batch/v1",
        Kind = "Job",
        Metadata = Meta(spec, MigrationJobName(spec.Options.Image)),
        Spec = new V1JobSpec
        {
            BackoffLimit = 2,
            // Long enough for anyone to read what happened; a later run finds the Job gone and migrates again (harmless).
            TtlSecondsAfterFinished = (int)TimeSpan.FromDays(7).TotalSeconds,
            ActiveDeadlineSeconds = (long)spec.Options.MigrationTimeout.TotalSeconds,
            Template = new V1PodTemplateSpec
            {
                Metadata = new V1ObjectMeta { Labels = MigrationPodLabels(spec), Annotations = new Dictionary<string, string>(spec.Options.PodAnnotations) },
                Spec = new V1PodSpec
                {
                    RestartPolicy = "Never",
                    ServiceAccountName = Name,
                    AutomountServiceAccountToken = false,
                    SecurityContext = PodSecurity(),
                    Containers =
                    [
                        new V1Container
                        {
                            Name = "migrate",
                            Image = spec.Options.Image,
                            Args = ["migrate"],
                            EnvFrom =
                            [
                                new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = Name } },
                                new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = Name } },
                            ],
                            Resources = new V1ResourceRequirements { Requests = Resources(spec), Limits = Resources(spec) },
                            SecurityContext = ContainerSecurity(),
                            VolumeMounts = [new V1VolumeMount { Name = "tmp", MountPath = "/tmp" }],
                        },
                    ],
                    Volumes = [new V1Volume { Name = "tmp", EmptyDir = new V1EmptyDirVolumeSource() }],
                },
            },
        },
    };

    private static V1PodSecurityContext PodSecurity() => new()
    {
        RunAsNonRoot = true,
        RunAsUser = 10001,
        RunAsGroup = 10001,
        SeccompProfile = new V1SeccompProfile { Type = "RuntimeDefault" },
    };

    private static V1SecurityContext ContainerSecurity() => new()
    {
        RunAsNonRoot = true,
        ReadOnlyRootFilesystem = true,
        AllowPrivilegeEscalation = false,
        Capabilities = new V1Capabilities { Drop = ["ALL"] },
    };

    public static V1Service Service(InstanceSpec spec) => new()
    {
        ApiVersion = "v1",
        Kind = "Service",
        Metadata = Meta(spec, Name),
        Spec = new V1ServiceSpec
        {
            Type = "ClusterIP",
            Selector = Selector,
            Ports = [new V1ServicePort { Name = "http", Port = Port, TargetPort = Port, Protocol = "TCP" }],
        },
    };

    public static V1PodDisruptionBudget PodDisruptionBudget(InstanceSpec spec) => new()
    {
        ApiVersion = "policy/v1",
        Kind = "PodDisruptionBudget",
        Metadata = Meta(spec, Name),
        Spec = new V1PodDisruptionBudgetSpec { MinAvailable = 1, Selector = new V1LabelSelector { MatchLabels = Selector } },
    };

    public static V2HorizontalPodAutoscaler HorizontalPodAutoscaler(InstanceSpec spec) => new()
    {
        ApiVersion = "autoscaling/v2",
        Kind = "HorizontalPodAutoscaler",
        Metadata = Meta(spec, Name),
        Spec = new V2HorizontalPodAutoscalerSpec
        {
            ScaleTargetRef = new V2CrossVersionObjectReference { ApiVersion = "apps/v1", Kind = "Deployment", Name = Name },
            MinReplicas = spec.Options.Replicas,
            MaxReplicas = spec.Options.MaxReplicas,
            Metrics =
            [
                new V2MetricSpec
                {
                    Type = "Resource",
                    Resource = new V2ResourceMetricSource { Name = "cpu", Target = new V2MetricTarget { Type = "Utilization", AverageUtilization = 70 } },
                },
            ],
        },
    };
}
