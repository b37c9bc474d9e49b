using Microsoft.AspNetCore.Http.Features;

namespace Portal.Features.Proxy;

/// <summary>
/// Paths the proxy refuses before any check: the route check judges the decoded path, but the instance receives the
/// request target, and a server may decode it again. An encoded <c>/</c>, <c>\</c> or <c>.</c> (<c>%2F</c>, <c>%5C</c>,
/// <c>%2E</c>, any case, and <c>%25</c>, which hides them behind a second decoding), a backslash, or a <c>.</c> or
/// <c>..</c> segment would let <c>/.well-known/..%2F..%2Fadmin</c> pass as a public route and reach <c>/admin</c>.
/// No legitimate AuthSome route needs any of them.
/// </summary>
public static class ProxyPaths
{
    /// <summary>Whether the request's path, as sent (the raw target) and as decoded, is free of those tricks.</summary>
    public static bool IsAcceptable(HttpContext context)
    {
        var raw = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (raw is { Length: > 0 } && raw[0] == '/')
        {
            var query = raw.IndexOf('?', StringComparison.Ordinal);
            if (!IsAcceptable(query < 0 ? raw : raw.AsSpan(0, query)))
            {
                return false;
            }
        }

        return IsAcceptable(context.Request.Path.Value);
    }

    public static bool IsAcceptable(ReadOnlySpan<char> path)
    {
        if (path.Contains('\\') || HasDotSegment(path))
        {
            return false;
        }

        for (var i = path.IndexOf('%'); i >= 0; i = path.IndexOf('%'))
        {
            var escape = path[(i + 1)..];
            if (escape.Length >= 2 && (escape[..2].Equals("2F", StringComparison.OrdinalIgnoreCase) || escape[..2].Equals("5C", StringComparison.OrdinalIgnoreCase)
                || escape[..2].Equals("2E", StringComparison.OrdinalIgnoreCase) || escape[..2].Equals("25", StringComparison.OrdinalIgnoreCase)))
            {
                return false;
            }

            path = escape;
        }

        return true;
    }

    /// <summary>Whether a segment of <paramref name="path"/> is <c>.</c> or <c>..</c>.</summary>
    private static bool HasDotSegment(ReadOnlySpan<char> path)
    {
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (segment is "." or "..")
            {
                return true;
            }
        }

        return false;
    }
}
