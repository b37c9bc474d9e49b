using Portal.Core.Workspaces;

namespace Portal.Core.Proxy;

/// <summary>Settings of the proxy's key verification and rate limiter (section <c>Proxy</c>).</summary>
public sealed class ProxyKeyOptions
{
    public const string Section = "Proxy";

    /// <summary>Prefix of the proxy's Redis keys (its change notifications go through the change channel).</summary>
    public string RedisKeyPrefix { get; set; } = "authsome:proxy:";

    /// <summary>How many keys (and, separately, applications) one replica keeps in memory at most.</summary>
    public int LocalCacheCapacity { get; set; } = 100_000;

    /// <summary>How long a replica trusts what it cached; the safety net behind pub/sub invalidation.</summary>
    public TimeSpan LocalCacheTtl { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a replica remembers that a key is unknown (a flood of bad keys stays off the database).</summary>
    public TimeSpan NegativeCacheTtl { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a key's record stays in Redis, shared by the replicas.</summary>
    public TimeSpan RedisCacheTtl { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>After a Redis failure, how long Redis is left alone (local limiter, database lookups) before it is tried again.</summary>
    public TimeSpan RedisRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How often each portal process looks for key and application changes not yet published to the proxies (Redis
    /// was away, or a process died after saving); a failed publish or Redis coming back also wakes it at once.
    /// </summary>
    public TimeSpan InvalidationRetryInterval { get; set; } = TimeSpan.FromSeconds(1);

    public RateLimit Free { get; set; } = new() { Requests = 10, MonthlyRequests = 100_000 };

    public RateLimit Pro { get; set; } = new() { Requests = 100 };

    public RateLimit Enterprise { get; set; } = new() { Requests = 1000 };

    public RateLimit LimitFor(WorkspacePlan plan) => plan switch
    {
        WorkspacePlan.Pro => Pro,
        WorkspacePlan.Enterprise => Enterprise,
        _ => Free,
    };

    public sealed class RateLimit
    {
        /// <summary>Requests per <see cref="Period"/>; also the burst (a full bucket).</summary>
        public int Requests { get; set; }

        public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

        /// <summary>Requests a workspace may make in a calendar month (UTC) across its applications; 0 = unlimited.</summary>
        public long MonthlyRequests { get; set; }
    }
}
