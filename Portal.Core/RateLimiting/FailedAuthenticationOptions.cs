namespace Portal.Core.RateLimiting;

/// <summary>The <c>FailedAuthentication</c> section: how many unknown credentials one client address may try.</summary>
public sealed class FailedAuthenticationOptions
{
    public const string Section = "FailedAuthentication";

    /// <summary>
    /// Database lookups of unknown credentials (proxy keys, control API tokens: each realm its own budget) one client
    /// address may cause per minute, counted across replicas in Redis; past it, unknown credentials get 429.
    /// </summary>
    public int PerMinutePerAddress { get; set; } = 60;

    /// <summary>Addresses one replica counts on its own at most while Redis is away.</summary>
    public int LocalCapacity { get; set; } = 10_000;

    /// <summary>Prefix of the limiter's Redis keys; by default <c>Portal:RedisKeyPrefix</c> followed by <c>authfail:</c>.</summary>
    public string? RedisKeyPrefix { get; set; }
}
