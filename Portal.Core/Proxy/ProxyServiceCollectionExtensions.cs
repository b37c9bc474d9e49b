using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Changes;
using Portal.Core.RateLimiting;

namespace Portal.Core.Proxy;

public static class ProxyServiceCollectionExtensions
{
    /// <summary>Key verification, its invalidation and the shared rate limiter (section <c>Proxy</c>).</summary>
    public static IServiceCollection AddProxyKeys(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ProxyKeyOptions>().Bind(configuration.GetSection(ProxyKeyOptions.Section))
            .Validate(o => o.LocalCacheCapacity > 0 && o.LocalCacheTtl > TimeSpan.Zero && o.NegativeCacheTtl > TimeSpan.Zero
                && o.RedisCacheTtl > TimeSpan.Zero && o.RedisRetryInterval > TimeSpan.Zero && o.InvalidationRetryInterval > TimeSpan.Zero,
                "Proxy: cache capacity and lifetimes must be positive.")
            .Validate(o => new[] { o.Free, o.Pro, o.Enterprise }.All(l => l.Requests > 0 && l.Period >= TimeSpan.FromMilliseconds(1)),
                "Proxy: each plan's rate limit needs Requests > 0 and a Period of at least 1 ms.")
            // The limiter counts in microseconds: one request per microsecond is the finest rate it can hold.
            .Validate(o => new[] { o.Free, o.Pro, o.Enterprise }.All(l => l.Requests <= 0 || l.Period.Ticks / 10 / l.Requests >= 1),
                "Proxy: a plan's rate limit can be at most one request per microsecond (Requests ≤ Period in µs, e.g. 1,000,000 per second).")
            .Validate(o => new[] { o.Free, o.Pro, o.Enterprise }.All(l => l.MonthlyRequests >= 0),
                "Proxy: a plan's MonthlyRequests must be 0 (unlimited) or more.")
            .ValidateOnStart();
        services.AddFailedAuthenticationLimiter(configuration);
        services.AddChanges(configuration);
        services.AddSingleton<ProxyKeyInvalidation>();
        services.AddSingleton<ProxyInvalidationOutbox>();
        services.AddHostedService<ProxyInvalidationPublisher>();
        services.AddSingleton<ProxyKeyVerifier>();
        services.AddSingleton<ProxyRateLimiter>();
        return services;
    }
}
