using Portal.Core.Applications;

namespace Portal.Core.ApiKeys;

/// <summary>
/// A credential of one application. A secret key is kept only as its SHA-256 <see cref="Hash"/> and a short
/// <see cref="DisplayPrefix"/>; a public key also keeps its <see cref="PublicValue"/>, which may be shown again.
/// </summary>
public class ApiKey
{
    public string Id { get; set; } = Ids.New("key");

    public required string ApplicationId { get; set; }

    public Application? Application { get; set; }

    public required string Name { get; set; }

    public ApiKeyType Type { get; set; }

    /// <summary>The key's start, enough to recognise it (<c>sk_live_3kTq9…</c>), never enough to use it.</summary>
    public required string DisplayPrefix { get; set; }

    public required byte[] Hash { get; set; }

    public string? PublicValue { get; set; }

    /// <summary>What the key may call: scope names from <see cref="ApiKeyScopes"/>, or <c>*</c>.</summary>
    public List<string> Scopes { get; set; } = [];

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedByUserId { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }

    public DateTimeOffset? LastUsedAt { get; set; }

    /// <summary>For a key made by rotation: the key it replaces, which works until its <see cref="ExpiresAt"/>.</summary>
    public string? ReplacesKeyId { get; set; }
}
