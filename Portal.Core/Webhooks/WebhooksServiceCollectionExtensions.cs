using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Portal.Core.Webhooks;

public static class WebhooksServiceCollectionExtensions
{
    /// <summary>Platform webhooks: the publisher (also a SaveChanges interceptor of the portal's contexts), the use cases and the <c>webhooks</c> HttpClient.</summary>
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WebhooksOptions>()
            .Configure<IServiceProvider>((options, sp) =>
                options.AllowPrivateDestinations = sp.GetService<IHostEnvironment>()?.IsDevelopment() ?? false)
            .Bind(configuration.GetSection(WebhooksOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookHostResolver>();
        services.AddSingleton<PlatformEvents>();
        services.AddSingleton<WebhookSender>();
        services.AddScoped<ManageWebhooks>();
        services.AddScoped<WebhookQueries>();
        services.AddScoped<DeliverWebhook>();
        services.AddScoped<SweepWebhookDeliveries>();
        services.AddHttpClient(WebhookSender.ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(sp => WebhookSender.CreateHandler(sp.GetRequiredService<IOptionsMonitor<WebhooksOptions>>()));
        return services;
    }
}
