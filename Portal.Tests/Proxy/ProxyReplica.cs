using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.ApiKeys;
using Portal.Core.Proxy;
using StackExchange.Redis;

namespace Portal.Tests.Proxy;

/// <summary>
/// One proxy replica: its own service provider and Redis connection (to the given Redis), the portal's database and
/// clock, and the proxy services as the portal registers them.
/// </summary>
public sealed class ProxyReplica : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private ProxyReplica(ServiceProvider services) => _services = services;

    public ProxyKeyVerifier Verifier => _services.GetRequiredService<ProxyKeyVerifier>();

    public ProxyRateLimiter Limiter => _services.GetRequiredService<ProxyRateLimiter>();

    public IConnectionMultiplexer Redis => _services.GetRequiredService<IConnectionMultiplexer>();

    public static async Task<ProxyReplica> StartAsync(
        string redisConnectionString, IDbContextFactory<PortalDbContext>? database = null, TimeProvider? clock = null,
        IDictionary<string, string?>? settings = null)
    {
        var options = ConfigurationOptions.Parse(redisConnectionString);
        options.AbortOnConnectFail = false;
        options.BacklogPolicy = BacklogPolicy.FailFast;
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IConnectionMultiplexer>(await ConnectionMultiplexer.ConnectAsync(options));
        services.AddSingleton(clock ?? TimeProvider.System);
        if (database is not null)
        {
            services.AddSingleton(database);
        }

        services.AddSingleton<ApiKeyLookup>();
        // Replicas of parallel tests share the run's Redis: each test's limiter of unknown keys counts under its own keys.
        var all = new Dictionary<string, string?> { ["FailedAuthentication:RedisKeyPrefix"] = $"test-{Guid.NewGuid():N}:authfail:" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        services.AddProxyKeys(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
        return new ProxyReplica(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true }));
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
