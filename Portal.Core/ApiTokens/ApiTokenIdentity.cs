namespace Portal.Core.ApiTokens;

/// <summary>Who a valid bearer token acts for, and with which scopes.</summary>
public sealed record ApiTokenIdentity(
    string TokenId,
    ApiTokenKind Kind,
    string TokenName,
    ApiScopes Scopes,
    string UserId,
    string? Email,
    string SecurityStamp,
    DateTimeOffset? ExpiresAt);
