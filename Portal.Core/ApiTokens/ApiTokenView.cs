namespace Portal.Core.ApiTokens;

/// <summary>A personal token as its owner's list shows it: never the secret, only its first characters.</summary>
public sealed record ApiTokenView(
    string Id,
    string Name,
    string Hint,
    ApiScopes Scopes,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt);
