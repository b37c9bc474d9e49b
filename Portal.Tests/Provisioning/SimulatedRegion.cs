using Portal.Core.Applications;
using Portal.Tests.Infrastructure;
using Portal.Tests.Simulators.Kubernetes;

namespace Portal.Tests.Provisioning;

/// <summary>
/// The settings of a portal provisioning into one region: the simulated cluster, the run's real PostgreSQL as tenant
/// server and a real Redis, instances reachable on the simulator's stand-ins, with retries, polls and timeouts shortened for tests.
/// </summary>
public static class SimulatedRegion
{
    public const string Name = "local";

    public static Dictionary<string, string?> Settings(TestServers servers, KubernetesSimulatorFixture kubernetes, RedisServer? tenantRedis = null) => new()
    {
        [$"Kubernetes:Regions:{Name}:Kubeconfig"] = kubernetes.Cluster.KubeconfigPath,
        // The instances' Services answer on the simulator's stand-in instances, as in a simulated region.
        [$"Kubernetes:Regions:{Name}:ServiceUrl"] = kubernetes.Simulator.Instances.ServiceUrlTemplate(kubernetes.Cluster.Name),
        [$"Provisioning:Regions:{Name}:PostgresAdmin"] = servers.Postgres.ConnectionString("postgres"),
        [$"Provisioning:Regions:{Name}:RedisAdmin"] = (tenantRedis ?? servers.Redis).ConnectionString,
        ["Provisioning:RetryDelay"] = "00:00:00.020",
        ["Provisioning:MaxRetryDelay"] = "00:00:00.200",
        ["Provisioning:RolloutPollInterval"] = "00:00:00.020",
        ["Provisioning:RolloutTimeout"] = "00:00:20",
        ["Provisioning:MigrationTimeout"] = "00:00:10",
        ["Provisioning:StuckPodGrace"] = "00:00:00.300",
    };

    /// <summary>A production application in this region, saved but not provisioned, created by a new workspace's owner.</summary>
    public static async Task<Application> NewApplicationAsync(PortalApp app, string slug = "storefront")
    {
        var owner = await WorkspaceSteps.CreateUserAsync(app);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(app, owner);
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "Storefront",
            Slug = slug,
            Environment = ApplicationEnvironment.Production,
            Region = Name,
            CreatedAt = app.Clock.GetUtcNow(),
            CreatedByUserId = owner.Id,
        };
        await using var db = app.CreateDbContext();
        db.Add(application);
        await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        return application;
    }
}
