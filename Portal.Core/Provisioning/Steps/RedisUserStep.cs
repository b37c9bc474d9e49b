namespace Portal.Core.Provisioning.Steps;

/// <summary>The instance's Redis user on the region's tenant Redis, limited to its key prefix.</summary>
public sealed class RedisUserStep(TenantRedis redis, TenantSecrets secrets, TransientRetry retry) : IProvisioningStep
{
    public string Name => ProvisioningSteps.RedisUser;

    public async Task RunAsync(ProvisioningContext context, CancellationToken ct)
    {
        var names = (await context.SpecAsync(ct)).Names;
        var region = context.Application.Region;
        await retry.RunAsync(c => redis.EnsureUserAsync(region, names.RedisUser, names.RedisKeyPrefix,
            secrets.Unprotect(names.ProtectedRedisPassword), c), ct);
    }
}
