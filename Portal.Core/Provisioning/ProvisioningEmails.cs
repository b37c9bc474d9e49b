using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Applications;
using Portal.Core.Notifications;

namespace Portal.Core.Provisioning;

/// <summary>
/// Tells the application's creator how provisioning ended: ready, with the link to the application, or failed, with
/// the error and what to do. An email that cannot be sent never changes the run's outcome.
/// </summary>
public sealed partial class ProvisioningEmails(Mailer mailer, PortalLinks links, ILogger<ProvisioningEmails> logger)
{
    public Task SendReadyAsync(PortalDbContext db, Application application, CancellationToken cancellationToken) =>
        SendAsync(db, application, to => EmailTemplate.Create(to, $"{application.Name} is ready",
            [
                $"Your application {application.Name} ({application.Environment.ToString().ToLowerInvariant()}, {application.Region}) is provisioned and running.",
                "Its page shows the API address and the keys to start with.",
            ],
            ("Open the application", links.Application(application.WorkspaceId, application.Id))), cancellationToken);

    public Task SendFailedAsync(PortalDbContext db, Application application, string step, string? error, CancellationToken cancellationToken) =>
        SendAsync(db, application, to => EmailTemplate.Create(to, $"Provisioning of {application.Name} failed",
            [
                $"Provisioning of your application {application.Name} stopped at the step \"{step}\" after several attempts.",
                $"Error: {error ?? "unknown"}",
                "What to do: fix the cause if the error names one (for example the instance image or its configuration), then press "
                + "\"Retry provisioning\" on the application page: provisioning resumes from the failed step. If it fails again, contact support with the error above.",
            ],
            ("Open the application", links.Application(application.WorkspaceId, application.Id))), cancellationToken);

    private async Task SendAsync(PortalDbContext db, Application application, Func<string, EmailMessage> message, CancellationToken cancellationToken)
    {
        try
        {
            var email = application.CreatedByUserId is null
                ? null
                : await db.Users.Where(u => u.Id == application.CreatedByUserId).Select(u => u.Email).SingleOrDefaultAsync(cancellationToken);
            if (string.IsNullOrEmpty(email))
            {
                return;
            }

            // The mailer queues the message for retry when the mail server is down.
            await mailer.SendAsync(message(email), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogNotSent(logger, application.Id, e.GetType().Name);
        }
    }

    [LoggerMessage(LogLevel.Warning, "The provisioning email of {ApplicationId} was not sent ({Error})")]
    private static partial void LogNotSent(ILogger logger, string applicationId, string error);
}
