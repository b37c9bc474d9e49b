namespace Portal.Core.ApiTokens;

/// <summary>
/// A bearer token of the control API. Only the SHA-256 hash of the secret is kept; the secret is shown once when the
/// token is made. The user's security stamp at issue is kept too: a password change or reset ends every token.
/// </summary>
public class ApiToken
{
    public string Id { get; set; } = Ids.New("tok");

    public required string UserId { get; set; }

    public ApiTokenKind Kind { get; set; }

    public required string Name { get; set; }

    public ApiScopes Scopes { get; set; }

    public required byte[] TokenHash { get; set; }

    /// <summary>The first characters of the secret, enough for a person to recognise it in a list.</summary>
    public required string Hint { get; set; }

    public required string SecurityStamp { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Null for a personal token that never expires.</summary>
    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
