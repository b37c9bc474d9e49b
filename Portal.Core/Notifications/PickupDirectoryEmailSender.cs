using Microsoft.Extensions.Options;

namespace Portal.Core.Notifications;

/// <summary>Development: saves each message as an .eml file, listed on the /dev/mail page.</summary>
public sealed class PickupDirectoryEmailSender(IOptions<EmailOptions> email, TimeProvider clock) : IEmailSender
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken = default)
    {
        var directory = email.Value.PickupDirectory;
        Directory.CreateDirectory(directory);
        using var mime = MimeMessages.Create(message, email.Value, clock);
        // Sortable by time, unique within the same tick.
        var name = $"{clock.GetUtcNow():yyyyMMddTHHmmssfffffff}-{Guid.NewGuid():N}.eml";
        await mime.WriteToAsync(Path.Combine(directory, name), cancellationToken);
    }
}
