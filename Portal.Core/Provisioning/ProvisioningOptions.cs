using Microsoft.Extensions.Configuration;

namespace Portal.Core.Provisioning;

/// <summary>
/// The <c>Provisioning</c> section: each Kubernetes region's tenant PostgreSQL and Redis, the instance's image and
/// resources, and how hard provisioning tries. Outside Production a region with no tenant servers uses the portal's
/// own PostgreSQL and Redis.
/// </summary>
public sealed class ProvisioningOptions
{
    public const string Section = "Provisioning";

    public Dictionary<string, ProvisioningRegionOptions> Regions { get; init; } = [];

    /// <summary>The authentication server's container image.</summary>
    public string Image { get; init; } = "ghcr.io/authsome/authsome:latest";

    /// <summary>Plan defaults until plans carry their own: each replica's CPU and memory (requests and limits).</summary>
    public string Cpu { get; init; } = "1000m";

    public string Memory { get; init; } = "2Gi";

    public int Replicas { get; init; } = 2;

    public int MaxReplicas { get; init; } = 4;

    /// <summary>The namespace of the portal's proxy, the only client the instances accept.</summary>
    public string ProxyNamespace { get; init; } = "authsome-portal";

    /// <summary>Attempts of one step before the run fails.</summary>
    public int MaxAttempts { get; init; } = 3;

    /// <summary>Transient errors (429, 5xx, timeouts, refused connections) retried within one attempt.</summary>
    public int TransientRetries { get; init; } = 5;

    /// <summary>The first back-off; each next one doubles, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the rollout is looked at, and how long it may take.</summary>
    public TimeSpan RolloutPollInterval { get; init; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan RolloutTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>How long the instance's database migration Job may run.</summary>
    public TimeSpan MigrationTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Annotations added to the instance's pods and its migration's (a service mesh, a log shipper).</summary>
    public Dictionary<string, string> PodAnnotations { get; init; } = [];

    /// <summary>How long a pod may stay unable to start (image pull, crash loop) before the attempt fails.</summary>
    public TimeSpan StuckPodGrace { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long an application may stay <c>provisioning</c> or <c>restarting</c> with no step started before the
    /// drift job queues its work again (a lost enqueue); longer than a job's usual wait for a worker.
    /// </summary>
    public TimeSpan StalledAfter { get; init; } = TimeSpan.FromMinutes(5);

    public ProvisioningRegionOptions Region(string region) =>
        Regions.TryGetValue(region, out var settings) ? settings : throw new KeyNotFoundException($"No tenant servers are configured for region '{region}'.");

    /// <summary>Reads and checks the section for the Kubernetes regions; throws naming the missing setting.</summary>
    public static ProvisioningOptions Read(IConfiguration configuration, IEnumerable<string> regions, bool production)
    {
        var options = configuration.GetSection(Section).Get<ProvisioningOptions>() ?? new ProvisioningOptions();
        foreach (var region in regions)
        {
            var settings = options.Regions.TryGetValue(region, out var configured) ? configured : options.Regions[region] = new ProvisioningRegionOptions();
            if (!production)
            {
                settings.PostgresAdmin ??= configuration.GetConnectionString("Portal");
                settings.RedisAdmin ??= configuration.GetConnectionString("Redis");
            }

            if (string.IsNullOrWhiteSpace(settings.PostgresAdmin))
            {
                throw new InvalidOperationException(
                    $"Missing setting 'Provisioning:Regions:{region}:PostgresAdmin': a connection string that may create databases and roles on the region's tenant PostgreSQL.");
            }

            if (string.IsNullOrWhiteSpace(settings.RedisAdmin))
            {
                throw new InvalidOperationException(
                    $"Missing setting 'Provisioning:Regions:{region}:RedisAdmin': a connection string that may manage ACL users on the region's tenant Redis.");
            }
        }

        if (options.MaxAttempts < 1 || options.TransientRetries < 0 || options.Replicas < 1 || options.MaxReplicas < options.Replicas)
        {
            throw new InvalidOperationException("Settings 'Provisioning:MaxAttempts' (≥ 1), 'TransientRetries' (≥ 0), 'Replicas' (≥ 1) and 'MaxReplicas' (≥ Replicas) are out of range.");
        }

        if (options.MigrationTimeout < TimeSpan.FromSeconds(1))
        {
            throw new InvalidOperationException("Setting 'Provisioning:MigrationTimeout' must be at least one second.");
        }

        if (options.StalledAfter < TimeSpan.FromMinutes(1))
        {
            throw new InvalidOperationException("Setting 'Provisioning:StalledAfter' must be at least one minute.");
        }

        return options;
    }
}
