namespace Portal.Core.Webhooks;

/// <summary>What a new endpoint is given.</summary>
public sealed record NewWebhookEndpoint(string? Url, IReadOnlyList<string>? Events, string? Description = null, bool? Enabled = null);
