using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;

namespace Portal.Core.Notifications;

public sealed class SmtpEmailSender(IOptions<SmtpOptions> smtp, IOptions<EmailOptions> email, TimeProvider clock) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        var options = smtp.Value;
        using var mime = MimeMessages.Create(message, email.Value, clock);
        using var client = new SmtpClient { Timeout = (int)options.Timeout.TotalMilliseconds };
        await client.ConnectAsync(options.Host!, options.Port, options.Security, cancellationToken);
        if (!string.IsNullOrEmpty(options.Username))
        {
            await client.AuthenticateAsync(options.Username, options.Password ?? "", cancellationToken);
        }

        await client.SendAsync(mime, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);
    }
}
