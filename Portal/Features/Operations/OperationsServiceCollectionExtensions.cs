namespace Portal.Features.Operations;

public static class OperationsServiceCollectionExtensions
{
    public static IServiceCollection AddOperations(this IServiceCollection services)
    {
        var timeout = TimeSpan.FromSeconds(3);
        services.AddHealthChecks()
            .AddCheck<PostgresHealthCheck>("postgresql", tags: [HealthEndpoints.ReadyTag], timeout: timeout)
            .AddCheck<RedisHealthCheck>("redis", tags: [HealthEndpoints.ReadyTag], timeout: timeout)
            .AddCheck<JobStorageHealthCheck>("hangfire", tags: [HealthEndpoints.ReadyTag], timeout: timeout);
        return services;
    }
}
