namespace Portal.Features.Usage;

public static class UsageWebServiceCollectionExtensions
{
    /// <summary>The live updates of metrics and usage pages: one Redis subscription per web process.</summary>
    public static IServiceCollection AddUsageWeb(this IServiceCollection services)
    {
        services.AddSingleton<UsageChangeSubscriber>();
        services.AddHostedService(sp => sp.GetRequiredService<UsageChangeSubscriber>());
        return services;
    }
}
