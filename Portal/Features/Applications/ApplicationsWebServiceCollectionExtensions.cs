namespace Portal.Features.Applications;

public static class ApplicationsWebServiceCollectionExtensions
{
    /// <summary>The live updates of application pages: one Redis subscription per web process.</summary>
    public static IServiceCollection AddApplicationsWeb(this IServiceCollection services)
    {
        services.AddSingleton<ApplicationChangeSubscriber>();
        services.AddHostedService(sp => sp.GetRequiredService<ApplicationChangeSubscriber>());
        return services;
    }
}
