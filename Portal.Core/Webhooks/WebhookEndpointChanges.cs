namespace Portal.Core.Webhooks;

/// <summary>A change of an endpoint: null leaves a field as it is; an empty description removes it.</summary>
public sealed record WebhookEndpointChanges(string? Url = null, IReadOnlyList<string>? Events = null, string? Description = null, bool? Enabled = null);
