using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Applications;
using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Core.Provisioning;

/// <summary>Builds an instance's <see cref="InstanceSpec"/> from the application and its stored credentials.</summary>
public sealed class InstanceSpecs(TenantPostgres postgres, TenantRedis redis, TenantSecrets secrets, KubernetesClusters clusters, IOptions<ProvisioningOptions> options)
{
    public async Task<InstanceSpec> BuildAsync(PortalDbContext db, Application application, CancellationToken ct)
    {
        var names = await db.Set<TenantCredentials>().AsNoTracking().SingleOrDefaultAsync(c => c.ApplicationId == application.Id, ct)
            ?? throw new ProvisioningException("The application's credentials are missing; retry provisioning to generate them.");
        var pg = postgres.AdminConnection(application.Region);
        var pgHost = pg.Host ?? "localhost";
        var redisEndpoint = redis.AdminConfiguration(application.Region).EndPoints.FirstOrDefault();
        var (redisHost, redisPort) = redisEndpoint switch
        {
            System.Net.DnsEndPoint dns => (dns.Host, dns.Port == 0 ? 6379 : dns.Port),
            System.Net.IPEndPoint ip => (ip.Address.ToString(), ip.Port == 0 ? 6379 : ip.Port),
            _ => ("localhost", 6379),
        };
        var databaseUrl = $"postgres://{names.DatabaseRole}:{secrets.Unprotect(names.ProtectedDatabasePassword)}@{pgHost}:{pg.Port}/{names.DatabaseName}";
        var redisUrl = $"redis://{names.RedisUser}:{secrets.Unprotect(names.ProtectedRedisPassword)}@{redisHost}:{redisPort}";
        return new InstanceSpec(application, names, databaseUrl, redisUrl, secrets.Unprotect(names.ProtectedSigningKey), pg.Port, redisPort, options.Value,
            clusters.ServiceUrl(application.Region, names.Namespace, InstanceManifests.Name, InstanceManifests.Port));
    }
}
