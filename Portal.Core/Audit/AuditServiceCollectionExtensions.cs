using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Audit;

public static class AuditServiceCollectionExtensions
{
    public static IServiceCollection AddAudit(this IServiceCollection services)
    {
        services.AddSingleton<AuditLog>();
        services.AddSingleton<AuditQueries>();
        services.AddSingleton<AccountAudit>();
        return services;
    }
}
