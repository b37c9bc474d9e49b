using Portal.Core.Proxy;

namespace Portal.Features.Proxy;

/// <summary>One request's state on its way through the proxy, kept as a feature of its <see cref="HttpContext"/>.</summary>
public sealed class ProxyExchange
{
    public required string RequestId { get; init; }

    public string? ApplicationId { get; set; }

    public string? Region { get; set; }

    public RateLimitDecision? RateLimit { get; set; }

    /// <summary>A sign-up, sign-in or refresh: a 2xx answer names an active user (MAU).</summary>
    public bool AuthenticatesUser { get; set; }

    /// <summary>The largest answer body read for the user id.</summary>
    public int MaxUserIdBodySize { get; set; }

    public string? UserId { get; set; }

    public ResponseTapStream? Tap { get; set; }

    /// <summary>Sets this proxy's own response headers, replacing any the instance sent under those names.</summary>
    public void ApplyHeaders(IHeaderDictionary headers)
    {
        headers[ProxyHeaders.RequestId] = RequestId;
        headers[ProxyHeaders.PlainRequestId] = RequestId;
        if (ApplicationId is not null)
        {
            headers[ProxyHeaders.ApplicationId] = ApplicationId;
        }

        if (Region is not null)
        {
            headers[ProxyHeaders.Region] = Region;
        }

        if (RateLimit is { } limit)
        {
            headers[ProxyHeaders.RateLimitLimit] = HeaderNumbers.Format(limit.Limit);
            headers[ProxyHeaders.RateLimitRemaining] = HeaderNumbers.Format(limit.Remaining);
            headers[ProxyHeaders.RateLimitReset] = HeaderNumbers.Format(limit.ResetSeconds);
        }
    }
}
