using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Metering;

public static class MeteringServiceCollectionExtensions
{
    /// <summary>The meter, its writer and the rollup; the writer runs in the background only where <paramref name="runWriter"/> (the proxy role).</summary>
    public static IServiceCollection AddMetering(this IServiceCollection services, IConfiguration configuration, bool runWriter = false)
    {
        services.AddOptions<MeteringOptions>().Bind(configuration.GetSection(MeteringOptions.Section))
            .PostConfigure(o =>
            {
                // Under the portal's own prefix unless set, so that environments (and tests) sharing a Redis stay apart.
                if (configuration[$"{MeteringOptions.Section}:{nameof(MeteringOptions.RedisKeyPrefix)}"] is null &&
                    configuration["Portal:RedisKeyPrefix"] is { Length: > 0 } portalPrefix)
                {
                    o.RedisKeyPrefix = portalPrefix + "usage:";
                }
            })
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<UsageMeter>();
        services.AddSingleton<UsageWriter>();
        services.AddSingleton<UsageRollup>();
        services.AddScoped<RecordTenantStorage>();
        if (runWriter)
        {
            services.AddHostedService<UsageWriterService>();
        }

        return services;
    }
}
