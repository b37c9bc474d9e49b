using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Portal.Core.RateLimiting;

public static class RateLimitingServiceCollectionExtensions
{
    /// <summary>The limit of unknown credentials per client address (section <c>FailedAuthentication</c>); safe to call from each role.</summary>
    public static IServiceCollection AddFailedAuthenticationLimiter(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(FailedAuthenticationLimiter)))
        {
            return services;
        }

        services.AddOptions<FailedAuthenticationOptions>().Bind(configuration.GetSection(FailedAuthenticationOptions.Section))
            .PostConfigure(o => o.RedisKeyPrefix ??= (configuration["Portal:RedisKeyPrefix"] ?? "portal:") + "authfail:")
            .Validate(o => o.PerMinutePerAddress > 0 && o.LocalCapacity > 0 && !string.IsNullOrEmpty(o.RedisKeyPrefix),
                "FailedAuthentication: PerMinutePerAddress and LocalCapacity must be positive, RedisKeyPrefix set.")
            .ValidateOnStart();
        services.AddSingleton<FailedAuthenticationLimiter>();
        return services;
    }

    /// <summary>The Redis-backed fixed-window limiter with its local fallback, one per process (<see cref="FixedWindowLimiter"/>).</summary>
    public static IServiceCollection AddFixedWindowLimiter(this IServiceCollection services)
    {
        services.TryAddSingleton<FixedWindowLimiter>();
        return services;
    }
}
