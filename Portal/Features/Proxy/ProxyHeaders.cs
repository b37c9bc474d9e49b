namespace Portal.Features.Proxy;

/// <summary>Header names of the proxy.</summary>
public static class ProxyHeaders
{
    public const string Key = "X-AuthSome-Key";
    public const string ApplicationId = "X-AuthSome-App-ID";
    public const string RequestId = "X-AuthSome-Request-ID";
    public const string Region = "X-AuthSome-Region";
    public const string UserId = "X-AuthSome-User-ID";
    public const string PlainRequestId = "X-Request-ID";
    public const string RateLimitLimit = "X-RateLimit-Limit";
    public const string RateLimitRemaining = "X-RateLimit-Remaining";
    public const string RateLimitReset = "X-RateLimit-Reset";
    public const string ForwardedFor = "X-Forwarded-For";
    public const string ForwardedProto = "X-Forwarded-Proto";
    public const string ForwardedHost = "X-Forwarded-Host";
    public const string BearerPrefix = "Bearer ";

    /// <summary>Whether the request carries its key in <c>X-AuthSome-Key</c> (then <c>Authorization</c> belongs to the end user).</summary>
    public static bool KeyInOwnHeader(HttpRequest request) => !string.IsNullOrEmpty(request.Headers[Key].ToString());

    /// <summary>The presented key: <c>X-AuthSome-Key</c>, else the bearer token of <c>Authorization</c>; null when neither.</summary>
    public static string? PresentedKey(HttpRequest request)
    {
        var own = request.Headers[Key];
        if (own.Count == 1 && !string.IsNullOrEmpty(own[0]))
        {
            return own[0]!.Trim();
        }

        if (own.Count > 1)
        {
            return null;
        }

        var authorization = request.Headers.Authorization;
        if (authorization.Count == 1 && authorization[0] is { } value && value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return value.AsSpan(BearerPrefix.Length).Trim().ToString() is { Length: > 0 } token ? token : null;
        }

        return null;
    }

    /// <summary>A client's request id is taken when it is 1–128 characters of letters, digits and <c>-_.:</c>.</summary>
    public static bool IsWellFormedRequestId(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty || id.Length > 128)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_' or '.' or ':'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A new request id: <c>req_</c> and 32 hex digits.</summary>
    public static string NewRequestId() =>
        string.Create(36, Guid.NewGuid(), static (span, guid) =>
        {
            "req_".AsSpan().CopyTo(span);
            guid.TryFormat(span[4..], out _, "N");
        });
}
