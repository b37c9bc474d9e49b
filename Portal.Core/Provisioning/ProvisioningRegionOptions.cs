namespace Portal.Core.Provisioning;

/// <summary>Where one region's tenants get their database and their Redis user (<c>Provisioning:Regions:&lt;region&gt;</c>).</summary>
public sealed class ProvisioningRegionOptions
{
    /// <summary>An Npgsql connection string of a role that may create databases and roles on the tenant PostgreSQL server.</summary>
    public string? PostgresAdmin { get; set; }

    /// <summary>A StackExchange.Redis connection string of a user that may run <c>ACL SETUSER</c> on the tenant Redis.</summary>
    public string? RedisAdmin { get; set; }
}
