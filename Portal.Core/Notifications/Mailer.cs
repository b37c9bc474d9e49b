using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Notifications;

/// <summary>
/// Sends email at once; when the mail server is down or refuses, hands the message to a retrying background job
/// instead of failing the user's request. Queued messages are encrypted, since they may carry confirmation links.
/// </summary>
public sealed partial class Mailer(IEmailSender sender, IEmailRetries retries, IDataProtectionProvider dataProtection, ILogger<Mailer> logger)
{
    private const string Purpose = "Portal.Notifications.QueuedEmail.v1";

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        try
        {
            await sender.SendAsync(message, cancellationToken);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException
            or IOException or SocketException or TimeoutException or AuthenticationException)
        {
            // Neither the address nor the body is logged: the body may hold a token.
            LogQueued(logger, e.GetType().Name, e.Message);
            retries.Enqueue(Protect(dataProtection, message));
        }
    }

    public static string Protect(IDataProtectionProvider dataProtection, EmailMessage message) =>
        dataProtection.CreateProtector(Purpose).Protect(JsonSerializer.Serialize(message));

    public static EmailMessage Unprotect(IDataProtectionProvider dataProtection, string protectedMessage) =>
        JsonSerializer.Deserialize<EmailMessage>(dataProtection.CreateProtector(Purpose).Unprotect(protectedMessage))
        ?? throw new InvalidOperationException("A queued email is empty.");

    [LoggerMessage(LogLevel.Warning, "The mail server did not take a message ({Error}: {Reason}); it is queued for retry")]
    private static partial void LogQueued(ILogger logger, string error, string reason);
}
