using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Portal.Core.Provisioning.Steps;

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
        AddProvisioningSteps(services);
        services.AddScoped<ProvisionApplication>();
        services.AddScoped<RollApplication>();
        services.AddScoped<TeardownApplication>();
        return services;
    }

    /// <summary>
    /// In the order they run (a new run stores its steps in this order), which is <see cref="ProvisioningSteps.All"/>:
    /// a test checks that the two agree.
    /// </summary>
    private static void AddProvisioningSteps(IServiceCollection services)
    {
        services.AddSingleton<IProvisioningStep, CredentialsStep>();
        services.AddSingleton<IProvisioningStep, NamespaceStep>();
        services.AddSingleton<IProvisioningStep, DatabaseStep>();
        services.AddSingleton<IProvisioningStep, RedisUserStep>();
        services.AddSingleton<IProvisioningStep, ConfigurationStep>();
        services.AddSingleton<IProvisioningStep, PoliciesStep>();
        services.AddSingleton<IProvisioningStep, WorkloadStep>();
        services.AddSingleton<IProvisioningStep, MigrationsStep>();
        services.AddSingleton<IProvisioningStep, RolloutStep>();
        services.AddSingleton<IProvisioningStep, ActivateStep>();
    }
}
