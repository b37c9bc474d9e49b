using System.ComponentModel.DataAnnotations;

namespace Portal.Features.ControlApi;

/// <summary>The <c>ControlApi</c> section.</summary>
public sealed class ControlApiOptions : IValidatableObject
{
    public const string Section = "ControlApi";

    /// <summary>The largest request body the API reads; larger ones are answered 413.</summary>
    [Range(1024, 10 * 1024 * 1024)]
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Login attempts (<c>POST /control/v1/auth/login</c>) per client IP address per minute.</summary>
    [Range(1, 100_000)]
    public int LoginAttemptsPerMinutePerIp { get; set; } = 10;

    /// <summary>How long a caller's plan (which sets their rate limit) is remembered by a replica.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan PlanCacheDuration { get; set; } = TimeSpan.FromMinutes(1);

    public ControlApiRateLimits RateLimits { get; set; } = new();

    /// <summary>
    /// How long an <c>Idempotency-Key</c> stays "in progress" without its request renewing it: a request renews it
    /// while it runs, so only a process that died mid-request leaves the key blocked, and only this long.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.300", "01:00:00")]
    public TimeSpan IdempotencyLease { get; set; } = TimeSpan.FromSeconds(60);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (name, limit) in new[] { ("Free", RateLimits.Free), ("Pro", RateLimits.Pro), ("Enterprise", RateLimits.Enterprise) })
        {
            var results = new List<ValidationResult>();
            if (limit is null)
            {
                yield return new ValidationResult($"Setting '{Section}:RateLimits:{name}' is missing.");
                continue;
            }

            Validator.TryValidateObject(limit, new ValidationContext(limit), results, validateAllProperties: true);
            foreach (var result in results)
            {
                yield return new ValidationResult(
                    $"Setting '{Section}:RateLimits:{name}:{string.Join(",", result.MemberNames)}': {result.ErrorMessage}");
            }
        }
    }
}
