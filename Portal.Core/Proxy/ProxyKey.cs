using Portal.Core.ApiKeys;

namespace Portal.Core.Proxy;

/// <summary>What the proxy knows of a key: never its value (only its display prefix, for logs).</summary>
public sealed record ProxyKey(
    string KeyId, string ApplicationId, ApiKeyType Type, IReadOnlyList<string> Scopes, string DisplayPrefix,
    DateTimeOffset? ExpiresAt, DateTimeOffset? RevokedAt)
{
    /// <summary>Whether the key has scope <paramref name="scope"/> (or all of them).</summary>
    public bool HasScope(string scope)
    {
        foreach (var granted in Scopes)
        {
            if (granted == ApiKeyScopes.All || string.Equals(granted, scope, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
