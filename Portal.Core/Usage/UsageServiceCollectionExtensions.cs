using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Changes;
using Portal.Core.Workspaces;

namespace Portal.Core.Usage;

public static class UsageServiceCollectionExtensions
{
    /// <summary>The read side of metering: application metrics, workspace usage against the plan, and usage change notifications.</summary>
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
        services.AddScoped<ApplicationMetricsQueries>();
        services.AddScoped<WorkspaceUsageQueries>();
        services.AddChanges(configuration);
        return services;
    }
}
