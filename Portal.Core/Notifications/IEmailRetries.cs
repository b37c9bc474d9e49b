namespace Portal.Core.Notifications;

/// <summary>Where a message goes when the mail server cannot take it now: a background job that retries with backoff.</summary>
public interface IEmailRetries
{
    /// <param name="protectedMessage">The message encrypted with <see cref="Mailer.Protect"/>: it may hold a sign-in link.</param>
    void Enqueue(string protectedMessage);
}
