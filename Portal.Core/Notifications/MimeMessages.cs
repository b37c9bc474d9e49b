using MimeKit;

namespace Portal.Core.Notifications;

internal static class MimeMessages
{
    public static MimeMessage Create(EmailMessage message, EmailOptions options, TimeProvider clock)
    {
        var mime = new MimeMessage
        {
            Subject = message.Subject,
            Date = clock.GetUtcNow(),
            Body = new BodyBuilder { TextBody = message.TextBody, HtmlBody = message.HtmlBody }.ToMessageBody(),
        };
        mime.From.Add(new MailboxAddress(options.FromName, options.FromAddress));
        mime.To.Add(MailboxAddress.Parse(message.To));
        return mime;
    }
}
