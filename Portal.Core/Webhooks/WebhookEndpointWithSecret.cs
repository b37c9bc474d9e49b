namespace Portal.Core.Webhooks;

/// <summary>An endpoint just made, or just given a new secret: <see cref="Secret"/> is the only time it is seen.</summary>
public sealed record WebhookEndpointWithSecret(WebhookEndpointView Endpoint, string Secret);
