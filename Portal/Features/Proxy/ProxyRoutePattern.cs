namespace Portal.Features.Proxy;

/// <summary>
/// A compiled route pattern of the instance's API: a method (or any) and path segments relative to <c>/v1/</c>, where
/// <c>*</c> matches one segment and a final <c>**</c> matches the rest (none included). Matching allocates nothing.
/// </summary>
public sealed class ProxyRoutePattern
{
    private const string One = "*";
    private const string Rest = "**";

    private readonly string? _method;
    private readonly string[] _segments;

    private ProxyRoutePattern(string text, string? method, string[] segments)
    {
        Text = text;
        _method = method;
        _segments = segments;
    }

    /// <summary>The pattern as configured, e.g. <c>GET users/**</c>.</summary>
    public string Text { get; }

    /// <summary>Parses <c>"METHOD path"</c>; null with <paramref name="error"/> when it is not one.</summary>
    public static ProxyRoutePattern? TryParse(string text, out string? error)
    {
        error = null;
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length != 2)
        {
            error = $"'{text}' is not 'METHOD path' (METHOD may be *).";
            return null;
        }

        var method = parts[0] == One ? null : parts[0].ToUpperInvariant();
        if (method is not null && !method.All(char.IsAsciiLetterUpper))
        {
            error = $"'{text}': '{parts[0]}' is not an HTTP method.";
            return null;
        }

        var segments = parts[1].Trim('/').Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i].Length == 0 || (segments[i] == Rest && i != segments.Length - 1) ||
                (segments[i] != One && segments[i] != Rest && segments[i].Contains('*', StringComparison.Ordinal)))
            {
                error = $"'{text}': segments must be literal, '*', or a final '**'.";
                return null;
            }
        }

        return new ProxyRoutePattern(text, method, segments);
    }

    /// <summary>Whether <paramref name="method"/> and <paramref name="path"/> (relative to /v1/, no leading slash) match.</summary>
    public bool Matches(string method, ReadOnlySpan<char> path)
    {
        if (_method is not null && !string.Equals(_method, method, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var index = 0;
        while (true)
        {
            // Empty segments (a double or trailing slash) are skipped.
            path = path.TrimStart('/');
            if (index == _segments.Length)
            {
                return path.IsEmpty;
            }

            var pattern = _segments[index];
            if (ReferenceEquals(pattern, Rest) || pattern == Rest)
            {
                return true;
            }

            if (path.IsEmpty)
            {
                return false;
            }

            var slash = path.IndexOf('/');
            var segment = slash < 0 ? path : path[..slash];
            if (pattern != One && !segment.Equals(pattern, StringComparison.Ordinal))
            {
                return false;
            }

            path = slash < 0 ? [] : path[slash..];
            index++;
        }
    }
}
