namespace Portal.Core.Notifications;

/// <summary>An email with a plain-text and an HTML part.</summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string HtmlBody);
