namespace Portal.Core.Proxy;

/// <summary>A rate limiter's answer, with what the <c>X-RateLimit-*</c> and <c>Retry-After</c> headers say.</summary>
public readonly record struct RateLimitDecision(bool Allowed, int Limit, int Remaining, TimeSpan Reset, TimeSpan RetryAfter, bool Shared)
{
    /// <summary>Refused because the workspace used up its plan's monthly requests (not the per-key rate).</summary>
    public bool QuotaExceeded { get; init; }

    /// <summary>Whole seconds until the bucket is full again (<c>X-RateLimit-Reset</c>), rounded up.</summary>
    public long ResetSeconds => (long)Math.Ceiling(Reset.TotalSeconds);

    /// <summary>Whole seconds before a refused request may be tried again (<c>Retry-After</c>), at least 1.</summary>
    public long RetryAfterSeconds => Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds));
}
