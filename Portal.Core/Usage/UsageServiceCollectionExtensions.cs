using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Changes;
using Portal.Core.Workspaces;

namespace Portal.Core.Usage;

public static class UsageServiceCollectionExtensions
{
    /// <summary>
    /// Metering (the proxy's meter, its Redis writer, the rollup into minute/hour/day rows, tenant storage) and its read
    /// side (application metrics, workspace usage against the plan, usage change notifications). The writer's loop is
    /// hosted by the proxy role only.
    /// </summary>
    public static IServiceCollection AddUsage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<UsageOptions>().Bind(configuration.GetSection(UsageOptions.Section))
            .PostConfigure(o =>
            {
                // One figure for the included requests: the proxy's monthly quota of the plan, unless usage sets its own.
                foreach (var plan in Enum.GetValues<WorkspacePlan>())
                {
                    if (configuration[$"{UsageOptions.Section}:{plan}:{nameof(IncludedUsage.Requests)}"] is null &&
                        long.TryParse(configuration[$"Proxy:{plan}:MonthlyRequests"], System.Globalization.CultureInfo.InvariantCulture, out var quota))
                    {
                        o.For(plan).Requests = quota;
                    }
                }
            })
            .Validate(o => o.Free.IsValid && o.Pro.IsValid && o.Enterprise.IsValid,
                "Usage: included amounts (MonthlyActiveUsers, Requests, StorageGigabytes, BandwidthGigabytes) are 0 (none) or positive.")
            .ValidateOnStart();
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
        services.AddScoped<ApplicationMetricsQueries>();
        services.AddScoped<WorkspaceUsageQueries>();
        services.AddChanges(configuration);
        return services;
    }
}
