using Portal.Core.ApiKeys;
using Portal.Core.Proxy;

namespace Portal.Features.Proxy;

/// <summary>
/// Which keys may call which routes, compiled once at start-up from <see cref="ProxyHostOptions"/>: public routes
/// are open to every key of the application; secret keys also reach the routes of their scopes (<c>*</c> = all).
/// </summary>
public sealed class ProxyRouteTable
{
    private readonly ProxyRoutePattern[] _public;
    private readonly Dictionary<string, ProxyRoutePattern[]> _scopes;

    private ProxyRouteTable(ProxyRoutePattern[] publicRoutes, Dictionary<string, ProxyRoutePattern[]> scopes)
    {
        _public = publicRoutes;
        _scopes = scopes;
    }

    /// <summary>The table, or the configuration's first mistake.</summary>
    public static ProxyRouteTable Compile(IEnumerable<string> publicRoutes, IEnumerable<string> scopeRoutes, out string? error)
    {
        error = null;
        var compiledPublic = new List<ProxyRoutePattern>();
        foreach (var text in publicRoutes)
        {
            if (ProxyRoutePattern.TryParse(text, out var problem) is not { } pattern)
            {
                error ??= "Proxy:PublicRoutes: " + problem;
                continue;
            }

            compiledPublic.Add(pattern);
        }

        var scopes = new Dictionary<string, List<ProxyRoutePattern>>(StringComparer.Ordinal);
        foreach (var text in scopeRoutes)
        {
            var space = text.IndexOf(' ', StringComparison.Ordinal);
            var scope = space > 0 ? text[..space] : text;
            if (space <= 0 || !ApiKeyScopes.Known.Contains(scope, StringComparer.Ordinal))
            {
                error ??= $"Proxy:ScopeRoutes: '{text}' does not start with a known scope ({string.Join(", ", ApiKeyScopes.Known)}).";
                continue;
            }

            if (ProxyRoutePattern.TryParse(text[(space + 1)..], out var problem) is not { } pattern)
            {
                error ??= "Proxy:ScopeRoutes: " + problem;
                continue;
            }

            if (!scopes.TryGetValue(scope, out var list))
            {
                scopes[scope] = list = [];
            }

            list.Add(pattern);
        }

        return new ProxyRouteTable([.. compiledPublic], scopes.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal));
    }

    /// <summary>Whether <paramref name="key"/> may call <paramref name="method"/> <paramref name="path"/> (relative to /v1/).</summary>
    public bool Allows(ProxyKey key, string method, ReadOnlySpan<char> path)
    {
        if (IsPublic(method, path))
        {
            return true;
        }

        if (key.Type != ApiKeyType.Secret)
        {
            return false;
        }

        var scopes = key.Scopes;
        for (var i = 0; i < scopes.Count; i++)
        {
            var scope = scopes[i];
            if (scope == ApiKeyScopes.All)
            {
                return true;
            }

            if (_scopes.TryGetValue(scope, out var patterns) && AnyMatches(patterns, method, path))
            {
                return true;
            }
        }

        return false;
    }

    public bool IsPublic(string method, ReadOnlySpan<char> path) => AnyMatches(_public, method, path);

    private static bool AnyMatches(ProxyRoutePattern[] patterns, string method, ReadOnlySpan<char> path)
    {
        foreach (var pattern in patterns)
        {
            if (pattern.Matches(method, path))
            {
                return true;
            }
        }

        return false;
    }
}
