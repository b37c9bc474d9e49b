using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Changes;
using Portal.Core.Provisioning;

namespace Portal.Core.Applications;

public static class ApplicationsServiceCollectionExtensions
{
    public static IServiceCollection AddApplications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApplicationOptions>().Bind(configuration.GetSection(ApplicationOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<CreateApplication>();
        services.AddScoped<ApplicationQueries>();
        services.AddScoped<RetryProvisioning>();
        services.AddScoped<UpdateApplication>();
        services.AddScoped<RestartApplication>();
        services.AddScoped<DeleteApplication>();
        services.AddScoped<ProvisioningProgressQueries>();
        services.AddChanges(configuration);
        return services;
    }
}
