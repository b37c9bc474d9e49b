namespace Portal.Core.Provisioning;

/// <summary>
/// The names reserved for an application's instance and its secrets. The secrets are Data Protection payloads
/// (<see cref="TenantSecrets"/>), never plain text.
/// </summary>
public class TenantCredentials
{
    public required string ApplicationId { get; set; }

    public required string Namespace { get; set; }

    public required string DatabaseName { get; set; }

    public required string DatabaseRole { get; set; }

    public required string RedisUser { get; set; }

    public required string RedisKeyPrefix { get; set; }

    public required string ProtectedDatabasePassword { get; set; }

    public required string ProtectedRedisPassword { get; set; }

    public required string ProtectedSigningKey { get; set; }

    public DateTimeOffset CreatedAt { get; set; }
}
