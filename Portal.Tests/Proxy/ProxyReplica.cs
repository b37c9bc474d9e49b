using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.ApiKeys;
using Portal.Core.Proxy;
using Portal.Tests.Infrastructure;
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

    /// <summary>A proxy replica of <paramref name="app"/>'s deployment: its database, clock and change channel (on its Redis unless another is given).</summary>
    public static Task<ProxyReplica> OfAsync(PortalApp app, string? redisConnectionString = null, IDictionary<string, string?>? settings = null)
    {
        var all = new Dictionary<string, string?> { ["Portal:RedisKeyPrefix"] = app.RedisKeyPrefix };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        return StartAsync(redisConnectionString ?? app.Servers.Redis.ConnectionString,
            app.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), app.Clock, all);
    }

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
        // Its change channel too, unless it is a replica of a portal's deployment (see OfAsync).
        var all = new Dictionary<string, string?>
        {
            ["FailedAuthentication:RedisKeyPrefix"] = $"test-{Guid.NewGuid():N}:authfail:",
            ["Portal:RedisKeyPrefix"] = $"test-{Guid.NewGuid():N}:",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        services.AddProxyKeys(new ConfigurationBuilder().AddInMemoryCollection(all).Build());
        return new ProxyReplica(services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = false, ValidateScopes = true }));
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();
}
