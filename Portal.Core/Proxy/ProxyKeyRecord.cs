using System.Globalization;
using Portal.Core.ApiKeys;
using StackExchange.Redis;

namespace Portal.Core.Proxy;

/// <summary>A key's record in Redis: one hash per key hash.</summary>
internal static class ProxyKeyRecord
{
    public static HashEntry[] Write(ProxyKey key) =>
    [
        new("id", key.KeyId),
        new("app", key.ApplicationId),
        new("type", key.Type.ToString()),
        new("scopes", string.Join(' ', key.Scopes)),
        new("display", key.DisplayPrefix),
        new("exp", key.ExpiresAt?.ToUnixTimeMilliseconds() ?? -1),
        new("rev", key.RevokedAt?.ToUnixTimeMilliseconds() ?? -1),
    ];

    public static ProxyKey? Read(HashEntry[] fields)
    {
        string? id = null, app = null, type = null, scopes = null, display = null;
        long exp = -1, rev = -1;
        foreach (var field in fields)
        {
            switch ((string?)field.Name)
            {
                case "id": id = field.Value; break;
                case "app": app = field.Value; break;
                case "type": type = field.Value; break;
                case "scopes": scopes = field.Value; break;
                case "display": display = field.Value; break;
                case "exp": exp = long.Parse((string)field.Value!, CultureInfo.InvariantCulture); break;
                case "rev": rev = long.Parse((string)field.Value!, CultureInfo.InvariantCulture); break;
                default: break;
            }
        }

        if (id is null || app is null || display is null || scopes is null || !Enum.TryParse<ApiKeyType>(type, out var keyType))
        {
            return null;
        }

        return new ProxyKey(
            id, app, keyType, scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries), display,
            exp < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(exp),
            rev < 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(rev));
    }
}
