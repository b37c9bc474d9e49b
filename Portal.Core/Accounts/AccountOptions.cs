using System.ComponentModel.DataAnnotations;

namespace Portal.Core.Accounts;

/// <summary>Settings of the <c>Accounts</c> section.</summary>
public class AccountOptions
{
    public const string Section = "Accounts";

    /// <summary>A session ends after this long without a request.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(2);

    /// <summary>A session ends this long after sign-in, whatever the activity.</summary>
    [Range(typeof(TimeSpan), "00:05:00", "30.00:00:00")]
    public TimeSpan SessionAbsoluteLifetime { get; set; } = TimeSpan.FromHours(12);

    /// <summary>How often a session re-checks the account's security stamp (password, 2FA or reset changes end other sessions).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SecurityStampValidationInterval { get; set; } = TimeSpan.FromMinutes(1);

    [Range(typeof(TimeSpan), "00:05:00", "1.00:00:00")]
    public TimeSpan PasswordResetLinkLifetime { get; set; } = TimeSpan.FromMinutes(30);

    [Range(typeof(TimeSpan), "01:00:00", "7.00:00:00")]
    public TimeSpan EmailConfirmationLinkLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Accounts whose email is still unconfirmed after this long are deleted by a recurring job.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "365.00:00:00")]
    public TimeSpan UnconfirmedAccountLifetime { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Form posts (sign-in, registration, password reset, 2FA) per client IP address per minute.</summary>
    [Range(1, 100_000)]
    public int FormPostsPerMinutePerIp { get; set; } = 10;
}
