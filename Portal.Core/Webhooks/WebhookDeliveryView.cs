namespace Portal.Core.Webhooks;

public sealed record WebhookDeliveryView(
    string Id,
    string EndpointId,
    string EventId,
    string EventType,
    WebhookDeliveryStatus Status,
    int AttemptCount,
    DateTimeOffset? NextAttemptAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset? LastAttemptAt,
    string? RedeliveryOf,
    string Payload,
    IReadOnlyList<WebhookAttemptView> Attempts)
{
    public static WebhookDeliveryView From(WebhookDelivery d) =>
        new(d.Id, d.EndpointId, d.EventId, d.EventType, d.Status, d.AttemptCount, d.NextAttemptAt, d.CreatedAt, d.LastAttemptAt, d.RedeliveryOf, d.Payload,
            [.. d.Attempts.OrderBy(a => a.StartedAt).ThenBy(a => a.Id).Select(a => new WebhookAttemptView(a.StartedAt, a.DurationMs, a.StatusCode, a.Error, a.ResponseExcerpt))]);
}
