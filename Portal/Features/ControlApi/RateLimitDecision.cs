namespace Portal.Features.ControlApi;

/// <summary>The answer of <see cref="ControlApiRateLimiter"/>: allowed or not, and what the X-RateLimit headers say.</summary>
public sealed record RateLimitDecision(bool Allowed, int Limit, int Remaining, int ResetSeconds, int RetryAfterSeconds)
{
    public void WriteHeaders(HttpResponse response)
    {
        response.Headers["X-RateLimit-Limit"] = Limit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Remaining"] = Remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        response.Headers["X-RateLimit-Reset"] = ResetSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!Allowed)
        {
            response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    public ApiError ToError() => new(
        StatusCodes.Status429TooManyRequests,
        ApiError.RateLimitExceeded,
        $"Rate limit reached: wait {RetryAfterSeconds} seconds before the next request.",
        new Dictionary<string, object?> { ["limit"] = Limit },
        RetryAfterSeconds);
}
