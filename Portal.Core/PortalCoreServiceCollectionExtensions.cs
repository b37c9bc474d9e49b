using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;
using Portal.Core.Accounts;
using Portal.Core.Admin;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.DataProtection;
using Portal.Core.Members;
using Portal.Core.Notifications;
using Portal.Core.Operations;
using Portal.Core.Proxy;
using Portal.Core.Usage;
using Portal.Core.Webhooks;
using Portal.Core.Workspaces;
using StackExchange.Redis;

namespace Portal.Core;

public static class PortalCoreServiceCollectionExtensions
{
    /// <summary>The control database, Redis, Data Protection and every feature of Portal.Core.</summary>
    public static IServiceCollection AddPortalCore(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingleton(TimeProvider.System);

        var postgres = configuration.GetRequiredConnectionString("Portal");
        services.AddSingleton(_ => NpgsqlDataSource.Create(postgres));
        services.AddDbContextFactory<PortalDbContext>((sp, options) =>
            options.UseNpgsql(sp.GetRequiredService<NpgsqlDataSource>(), npgsql => npgsql.MigrationsAssembly(PortalDbContext.MigrationsAssembly))
                // Platform events become webhook deliveries in the same SaveChanges as the change they announce.
                .AddInterceptors(sp.GetRequiredService<PlatformEvents>()));

        var redis = ConfigurationOptions.Parse(configuration.GetRequiredConnectionString("Redis"));
        // Keep reconnecting in the background when Redis is down at start or goes away later, and meanwhile fail
        // commands at once rather than queue them: callers (rate limits, health) have a fallback or an answer to give.
        redis.AbortOnConnectFail = false;
        redis.BacklogPolicy = BacklogPolicy.FailFast;
        services.AddSingleton<IConnectionMultiplexer>(_ => ConnectionMultiplexer.Connect(redis));

        // The key ring itself is encrypted when a key-encryption setting is given (required outside Development, see
        // PortalServices), so that a copy of the database alone does not reveal the secrets the keys protect.
        services.AddDataProtection()
            .SetApplicationName("AuthSome.Portal")
            .PersistKeysToDbContext<PortalDbContext>()
            .ProtectKeyRingFromConfiguration(configuration);

        services.AddAccounts(configuration);
        services.AddAdmin(configuration);
        services.AddNotifications(configuration);
        services.AddAudit(configuration);
        services.AddWorkspaces(configuration);
        services.AddMembers();
        services.AddApiKeys();
        services.AddApplications(configuration);
        services.AddWebhooks(configuration);
        services.AddProxyKeys(configuration);
        services.AddUsage(configuration);
        services.AddOperations();
        return services;
    }
}
