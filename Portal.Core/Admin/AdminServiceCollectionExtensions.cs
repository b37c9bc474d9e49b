using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Admin;

public static class AdminServiceCollectionExtensions
{
    public static IServiceCollection AddAdmin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<PlatformAdminOptions>().Bind(configuration.GetSection(PlatformAdminOptions.Section));
        services.AddAuthorizationBuilder().AddPolicy(PlatformAdminPolicy.Name, PlatformAdminPolicy.Configure);
        services.AddScoped<GrantPlatformAdmin>();
        services.AddSingleton<AdminQueries>();
        services.AddSingleton<SuspendWorkspace>();
        services.AddSingleton<SuspendUser>();
        return services;
    }
}
