namespace Portal.Core.Webhooks;

/// <summary>An endpoint as lists show it: never its secret.</summary>
public sealed record WebhookEndpointView(
    string Id,
    string ApplicationId,
    string Url,
    IReadOnlyList<string> Events,
    bool Enabled,
    string? Description,
    DateTimeOffset CreatedAt,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? PreviousSecretExpiresAt)
{
    public static WebhookEndpointView From(WebhookEndpoint e) =>
        new(e.Id, e.ApplicationId, e.Url, e.Events, e.Enabled, e.Description, e.CreatedAt, e.UpdatedAt, e.PreviousSecretExpiresAt);
}

/// <summary>An endpoint just made, or just given a new secret: <see cref="Secret"/> is the only time it is seen.</summary>
public sealed record WebhookEndpointWithSecret(WebhookEndpointView Endpoint, string Secret);

public sealed record WebhookAttemptView(DateTimeOffset StartedAt, int DurationMs, int? StatusCode, string? Error, string? ResponseExcerpt);

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

/// <summary>What a new endpoint is given.</summary>
public sealed record NewWebhookEndpoint(string? Url, IReadOnlyList<string>? Events, string? Description = null, bool? Enabled = null);

/// <summary>A change of an endpoint: null leaves a field as it is; an empty description removes it.</summary>
public sealed record WebhookEndpointChanges(string? Url = null, IReadOnlyList<string>? Events = null, string? Description = null, bool? Enabled = null);
