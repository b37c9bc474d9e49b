using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Audit;

public static class AuditServiceCollectionExtensions
{
    public static IServiceCollection AddAudit(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuditRetentionOptions>().Bind(configuration.GetSection(AuditRetentionOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<PurgeExpiredAuditEvents>();
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditQueries>();
        services.AddSingleton<AccountAudit>();
        return services;
    }
}
