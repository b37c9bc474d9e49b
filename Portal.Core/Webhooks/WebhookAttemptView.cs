namespace Portal.Core.Webhooks;

public sealed record WebhookAttemptView(DateTimeOffset StartedAt, int DurationMs, int? StatusCode, string? Error, string? ResponseExcerpt);
