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
