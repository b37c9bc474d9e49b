using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.Notifications;

public static class NotificationsServiceCollectionExtensions
{
    public static IServiceCollection AddNotifications(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<EmailOptions>().Bind(configuration.GetSection(EmailOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<SmtpOptions>().Bind(configuration.GetSection(SmtpOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();

        if (string.IsNullOrWhiteSpace(configuration[$"{SmtpOptions.Section}:Host"]))
        {
            services.AddSingleton<IEmailSender, PickupDirectoryEmailSender>();
        }
        else
        {
            services.AddSingleton<IEmailSender, SmtpEmailSender>();
        }

        services.AddScoped<Mailer>();
        services.AddSingleton<DevMailbox>();
        return services;
    }
}
