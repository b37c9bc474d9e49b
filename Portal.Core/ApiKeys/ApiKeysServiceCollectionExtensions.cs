using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.ApiKeys;

public static class ApiKeysServiceCollectionExtensions
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddScoped<ManageApiKeys>();
        services.AddScoped<ApiKeyQueries>();
        services.AddScoped<ApiKeyLookup>();
        return services;
    }
}
