using Hangfire;
using Microsoft.AspNetCore.DataProtection;
using Portal.Core.Notifications;

namespace Portal.Jobs.Notifications;

/// <summary>Delivers an email the mail server could not take at first; retried with growing delays for about a day.</summary>
public sealed class DeliverEmailJob(IEmailSender sender, IDataProtectionProvider dataProtection)
{
    [Queue(JobQueues.Critical)]
    [AutomaticRetry(Attempts = 12, DelaysInSeconds = [10, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14400, 28800])]
    public Task RunAsync(string protectedMessage, CancellationToken cancellationToken) =>
        sender.SendAsync(Mailer.Unprotect(dataProtection, protectedMessage), cancellationToken);
}
