namespace Portal.Core.Provisioning.Steps;

/// <summary>The tenant database and its role on the region's tenant PostgreSQL.</summary>
public sealed class DatabaseStep(TenantPostgres postgres, TenantSecrets secrets, TransientRetry retry) : IProvisioningStep
{
    public string Name => ProvisioningSteps.Database;

    public async Task RunAsync(ProvisioningContext context, CancellationToken ct)
    {
        var names = (await context.SpecAsync(ct)).Names;
        var region = context.Application.Region;
        await retry.RunAsync(c => postgres.EnsureAsync(region, names.DatabaseName, names.DatabaseRole,
            secrets.Unprotect(names.ProtectedDatabasePassword), c), ct);
    }
}
