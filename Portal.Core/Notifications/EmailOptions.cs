using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Notifications;

/// <summary>The <c>Email</c> section.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    [Required, EmailAddress]
    public string FromAddress { get; set; } = "no-reply@authsome.local";

    [Required]
    public string FromName { get; set; } = "AuthSome Cloud";

    /// <summary>Where messages are saved as .eml files when no SMTP host is set (development).</summary>
    public string PickupDirectory { get; set; } = Path.Combine(".data", "mail");
}
