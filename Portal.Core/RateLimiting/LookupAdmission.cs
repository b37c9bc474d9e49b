namespace Portal.Core.RateLimiting;

/// <summary>Whether a credential the caches do not know may be looked up in the database.</summary>
public readonly record struct LookupAdmission(bool Allowed, TimeSpan RetryAfter)
{
    /// <summary>Whole seconds for <c>Retry-After</c>, at least 1.</summary>
    public long RetryAfterSeconds => Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds));
}
