using Portal.Core.Applications;

namespace Portal.Core.Provisioning;

/// <summary>
/// Everything the Kubernetes objects of one instance are made from (secrets in plain text: never log it), and the
/// address its Service answers on (<see cref="Kubernetes.KubernetesClusters.ServiceUrl"/>).
/// </summary>
public sealed record InstanceSpec(
    Application Application,
    TenantCredentials Names,
    string DatabaseUrl,
    string RedisUrl,
    string SigningKey,
    int PostgresPort,
    int RedisPort,
    ProvisioningOptions Options,
    string InternalUrl)
{
    public string Namespace => Names.Namespace;
}
