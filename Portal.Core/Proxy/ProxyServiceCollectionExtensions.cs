using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Proxy;

public static class ProxyServiceCollectionExtensions
{
    /// <summary>Key verification, its invalidation and the shared rate limiter (section <c>Proxy</c>).</summary>
    public static IServiceCollection AddProxyKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyKeyOptions>().Bind(configuration.GetSection(ProxyKeyOptions.Section))
            .Validate(o => o.LocalCacheCapacity > 0 && o.LocalCacheTtl > TimeSpan.Zero && o.NegativeCacheTtl > TimeSpan.Zero
                && o.RedisCacheTtl > TimeSpan.Zero && o.RedisRetryInterval > TimeSpan.Zero,
                "Proxy: cache capacity and lifetimes must be positive.")
            .Validate(o => new[] { o.Free, o.Pro, o.Enterprise }.All(l => l.Requests > 0 && l.Period >= TimeSpan.FromMilliseconds(1)),
                "Proxy: each plan's rate limit needs Requests > 0 and a Period of at least 1 ms.")
            .Validate(o => new[] { o.Free, o.Pro, o.Enterprise }.All(l => l.MonthlyRequests >= 0),
                "Proxy: a plan's MonthlyRequests must be 0 (unlimited) or more.")
            .ValidateOnStart();
        services.AddSingleton<ProxyKeyInvalidation>();
        services.AddSingleton<ProxyKeyVerifier>();
        services.AddSingleton<ProxyRateLimiter>();
        return services;
    }
}
