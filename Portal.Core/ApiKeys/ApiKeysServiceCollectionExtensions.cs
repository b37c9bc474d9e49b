using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.ApiKeys;

public static class ApiKeysServiceCollectionExtensions
{
    public static IServiceCollection AddApiKeys(this IServiceCollection services)
    {
        services.AddScoped<ManageApiKeys>();
        services.AddScoped<ApiKeyQueries>();
        // A singleton: the proxy's verifier holds it (it keeps nothing but the context factory and the clock).
        services.AddSingleton<ApiKeyLookup>();
        return services;
    }
}
