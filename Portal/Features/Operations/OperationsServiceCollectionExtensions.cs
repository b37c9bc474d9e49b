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
        // X-Frame-Options is set for every response by the security headers; antiforgery would add a second, weaker one.
        services.AddAntiforgery(antiforgery => antiforgery.SuppressXFrameOptionsHeader = true);
        return services;
    }
}
