using Portal.Core.Applications;

namespace Portal.Core.Provisioning;

/// <summary>Everything the Kubernetes objects of one instance are made from (secrets in plain text: never log it).</summary>
public sealed record InstanceSpec(
    Application Application,
    TenantCredentials Names,
    string DatabaseUrl,
    string RedisUrl,
    string SigningKey,
    int PostgresPort,
    int RedisPort,
    ProvisioningOptions Options)
{
    public string Namespace => Names.Namespace;

    public string InternalUrl => $"http://{InstanceManifests.Name}.{Namespace}.svc.cluster.local:{InstanceManifests.Port}";
}
