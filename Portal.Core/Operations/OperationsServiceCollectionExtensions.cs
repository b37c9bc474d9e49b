using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Operations;

public static class OperationsServiceCollectionExtensions
{
    /// <summary>What operators and members read of a running instance: its log.</summary>
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        services.AddScoped<InstanceLogs>();
        return services;
    }
}
