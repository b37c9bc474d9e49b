using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Portal.Core.Provisioning;

public static class ProvisioningServiceCollectionExtensions
{
    /// <summary>The provisioning engine; the tenant servers of every Kubernetes region are checked here, at start-up.</summary>
    public static IServiceCollection AddProvisioning(this IServiceCollection services, IConfiguration configuration, IEnumerable<string> regions, bool production)
    {
        services.AddSingleton(Options.Create(ProvisioningOptions.Read(configuration, regions, production)));
        services.AddSingleton<TenantPostgres>();
        services.AddSingleton<TenantRedis>();
        services.AddSingleton<TenantSecrets>();
        services.AddSingleton<TransientRetry>();
        services.AddSingleton<InstanceRollout>();
        services.AddSingleton<InstanceMigrations>();
        services.AddSingleton<InstanceSpecs>();
        services.AddScoped<ReconcileDrift>();
        services.AddScoped<ResumeStalledWork>();
        services.TryAddSingleton(_ => Notifications.PortalLinks.FromConfiguration(configuration));
        services.AddScoped<ProvisioningEmails>();
        services.AddScoped<ProvisionApplication>();
        services.AddScoped<RollApplication>();
        services.AddScoped<TeardownApplication>();
        return services;
    }
}
