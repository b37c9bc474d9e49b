using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.RateLimiting;

namespace Portal.Core.ApiTokens;

public static class ApiTokensServiceCollectionExtensions
{
    public static IServiceCollection AddApiTokens(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ApiTokenOptions>().Bind(configuration.GetSection(ApiTokenOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<IssueApiToken>();
        services.AddScoped<RevokeApiToken>();
        services.AddScoped<ApiTokenQueries>();
        services.AddFailedAuthenticationLimiter(configuration);
        services.AddSingleton<ApiTokenFloodGuard>();
        services.AddScoped<AuthenticateApiToken>();
        services.AddScoped<PurgeExpiredApiTokens>();
        return services;
    }
}
