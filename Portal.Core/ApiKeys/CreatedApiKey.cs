namespace Portal.Core.ApiKeys;

/// <summary>A key just made: <see cref="Value"/> is the only time a secret key is seen in full.</summary>
public sealed record CreatedApiKey(ApiKey Key, string Value);
