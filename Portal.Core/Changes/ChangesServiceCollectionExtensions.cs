using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Portal.Core.Changes;

public static class ChangesServiceCollectionExtensions
{
    /// <summary>
    /// The change channel, once per process whatever calls this (every feature that publishes or listens does, so
    /// that it also works on its own, as a proxy replica in the tests). Its channel takes <c>Portal:RedisKeyPrefix</c>.
    /// </summary>
    public static IServiceCollection AddChanges(this IServiceCollection services, IConfiguration configuration)
    {
        if (services.Any(d => d.ServiceType == typeof(ChangeChannel)))
        {
            return services;
        }

        var prefix = configuration["Portal:RedisKeyPrefix"] is { Length: > 0 } configured ? configured : "portal:";
        services.AddSingleton(sp => new ChangeChannel(
            sp.GetRequiredService<IConnectionMultiplexer>(), prefix, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ChangeChannel>>()));
        // Subscribed from the start, not at the first page: a change right after start-up reaches the pages too.
        services.AddHostedService(sp => sp.GetRequiredService<ChangeChannel>());
        return services;
    }
}
