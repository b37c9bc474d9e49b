using Microsoft.Extensions.Options;
using Portal.Core.Notifications;

namespace Portal.Core.Accounts;

/// <summary>The emails of the account lifecycle. Links carry tokens, so they are sent at once and never stored in job arguments.</summary>
public sealed class AccountEmails(Mailer sender, IOptions<AccountOptions> options)
{
    public Task SendConfirmationLinkAsync(string email, string link, CancellationToken cancellationToken = default) =>
        sender.SendAsync(EmailTemplate.Create(email, "Confirm your email address",
            [
                "Welcome to AuthSome Cloud. Confirm your email address to finish creating your account.",
                $"The link is valid for {Describe(options.Value.EmailConfirmationLinkLifetime)}. If you did not sign up, ignore this message.",
            ],
            ("Confirm email", link)), cancellationToken);

    public Task SendEmailChangeLinkAsync(string newEmail, string link, CancellationToken cancellationToken = default) =>
        sender.SendAsync(EmailTemplate.Create(newEmail, "Confirm your new email address",
            [
                "You asked to change the email address of your AuthSome Cloud account to this one.",
                "Your account keeps its current address until you confirm. If you did not ask for this, ignore this message.",
            ],
            ("Confirm new email", link)), cancellationToken);

    public Task SendPasswordResetLinkAsync(string email, string link, CancellationToken cancellationToken = default) =>
        sender.SendAsync(EmailTemplate.Create(email, "Reset your password",
            [
                "Someone asked to reset the password of your AuthSome Cloud account.",
                $"The link works once and for {Describe(options.Value.PasswordResetLinkLifetime)}. Resetting signs out every session of the account.",
                "If it was not you, ignore this message: your password stays as it is.",
            ],
            ("Choose a new password", link)), cancellationToken);

    /// <summary>Someone tried to register an address that has an account: its owner hears of it, the form reveals nothing.</summary>
    public Task SendAlreadyRegisteredAsync(string email, string resetLink, CancellationToken cancellationToken = default) =>
        sender.SendAsync(EmailTemplate.Create(email, "You already have an account",
            [
                "Someone, probably you, tried to create an AuthSome Cloud account with this address, which already has one.",
                "Sign in with your password, or choose a new one if you forgot it. If it was not you, ignore this message.",
            ],
            ("Choose a new password", resetLink)), cancellationToken);

    public Task SendSecurityNoticeAsync(string email, string change, CancellationToken cancellationToken = default) =>
        sender.SendAsync(EmailTemplate.Create(email, "Security change on your account",
            [
                $"{change} on your AuthSome Cloud account.",
                "If you did not do this, reset your password at once and contact support.",
            ]), cancellationToken);

    private static string Describe(TimeSpan span) =>
        span.TotalHours >= 1 ? $"{span.TotalHours:0.#} hours" : $"{span.TotalMinutes:0} minutes";
}
