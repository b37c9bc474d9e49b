using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Provisioning.Steps;

/// <summary>Reserves the names (unique indexes) and generates the secrets, once; later runs find them.</summary>
public sealed class CredentialsStep(TenantSecrets secrets, TimeProvider clock) : IProvisioningStep
{
    public string Name => ProvisioningSteps.Credentials;

    public async Task RunAsync(ProvisioningContext context, CancellationToken ct)
    {
        var db = context.Db;
        var applicationId = context.Application.Id;
        if (await db.Set<TenantCredentials>().AnyAsync(c => c.ApplicationId == applicationId, ct))
        {
            return;
        }

        db.Add(new TenantCredentials
        {
            ApplicationId = applicationId,
            Namespace = TenantNames.Namespace(applicationId),
            DatabaseName = TenantNames.Database(applicationId),
            DatabaseRole = TenantNames.Role(applicationId),
            RedisUser = TenantNames.RedisUser(applicationId),
            RedisKeyPrefix = TenantNames.RedisKeyPrefix(applicationId),
            ProtectedDatabasePassword = secrets.Protect(TenantSecrets.NewPassword()),
            ProtectedRedisPassword = secrets.Protect(TenantSecrets.NewPassword()),
            ProtectedSigningKey = secrets.Protect(TenantSecrets.NewSigningKey()),
            CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
    }
}
