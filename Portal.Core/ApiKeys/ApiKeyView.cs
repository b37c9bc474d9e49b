namespace Portal.Core.ApiKeys;

/// <summary>A key as lists show it: masked (public keys in full), with its type, scopes, dates and last use.</summary>
public sealed record ApiKeyView(
    string Id,
    string Name,
    ApiKeyType Type,
    string Display,
    IReadOnlyList<string> Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? RevokedAt,
    DateTimeOffset? LastUsedAt);
