namespace Portal.Core.Notifications;

/// <summary>Sends email: over SMTP when <c>Smtp:Host</c> is set, otherwise into the development pickup folder.</summary>
public interface IEmailSender
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default);
}
