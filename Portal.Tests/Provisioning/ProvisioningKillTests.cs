using k8s;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Core.Applications;
using Portal.Core.Provisioning;
using Portal.Tests.Infrastructure;
using Portal.Tests.Simulators.Kubernetes;
using StackExchange.Redis;

namespace Portal.Tests.Provisioning;

/// <summary>
/// A run killed while each step runs (its token cancelled while the step is held up in the simulator, PostgreSQL or
/// Redis) converges when run again: the interrupted step is resumed, nothing is duplicated or left behind.
/// The tenant Redis is this class's own, so that it can be stopped.
/// </summary>
public sealed class ProvisioningKillTests(TestServers servers, KubernetesSimulatorFixture kubernetes, RedisServer tenantRedis)
    : PortalTest(servers), IClassFixture<KubernetesSimulatorFixture>, IClassFixture<RedisServer>
{
    private const string Region = SimulatedRegion.Name;
    private static readonly TimeSpan Held = TimeSpan.FromSeconds(3);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override Dictionary<string, string?> Settings
    {
        get
        {
            var settings = SimulatedRegion.Settings(Servers, kubernetes, tenantRedis);
            settings.Remove("Provisioning:StuckPodGrace");
            return settings;
        }
    }

    public static TheoryData<string> Steps => [.. ProvisioningSteps.All];

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task Provision_KilledWhileAStepRuns_ConvergesOnTheNextRun(string killedStep)
    {
        var application = await NewApplicationAsync();
        var faults = kubernetes.Cluster.Faults;
        var hold = await HoldAsync(killedStep, application);
        using var kill = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var first = Task.Run(() => WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ProvisionApplication>().ExecuteAsync(application.Id, kill.Token)), Ct);
        try
        {
            await WaitForStepAsync(application, killedStep, first, hold);
            await WaitUntilHeldAsync(application, killedStep);
            await kill.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        }
        finally
        {
            await hold.DisposeAsync();
            faults.Clear();
        }

        var interrupted = Assert.Single(await RunsAsync(application));
        Assert.Equal(ProvisioningStepStatus.Running, interrupted.Steps.Single(s => s.Name == killedStep).Status);

        var outcome = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ProvisionApplication>().ExecuteAsync(application.Id, Ct));

        var run = Assert.Single(await RunsAsync(application));
        Assert.True(outcome == ProvisioningOutcome.Succeeded, run.Error);
        await using (var db = App.CreateDbContext())
        {
            Assert.Equal(ApplicationStatus.Active, (await db.Set<Application>().SingleAsync(a => a.Id == application.Id, Ct)).Status);
        }

        // The same run resumed at the interrupted step: the steps before it ran once, it ran twice, the later ones once.
        var killedOrder = ProvisioningSteps.All.ToList().IndexOf(killedStep);
        Assert.All(run.Steps, s => Assert.Equal((s.Name, ProvisioningStepStatus.Succeeded, s.Order == killedOrder ? 2 : 1), (s.Name, s.Status, s.Attempts)));
        await AssertExactlyOneOfEverythingAsync(application);
    }

    private async Task AssertExactlyOneOfEverythingAsync(Application application)
    {
        var selector = $"{InstanceManifests.ApplicationLabel}={application.Id}";
        var k8s = kubernetes.Client;
        var ns = TenantNames.Namespace(application.Id);
        Assert.Equal([ns], (await k8s.CoreV1.ListNamespaceAsync(labelSelector: selector, cancellationToken: Ct)).Items.Select(n => n.Metadata.Name));
        Assert.Single((await k8s.CoreV1.ListNamespacedServiceAccountAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);
        Assert.Single((await k8s.CoreV1.ListNamespacedSecretAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);
        Assert.Single((await k8s.CoreV1.ListNamespacedConfigMapAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);
        Assert.Single((await k8s.CoreV1.ListNamespacedResourceQuotaAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);
        Assert.Single((await k8s.CoreV1.ListNamespacedLimitRangeAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);
        Assert.Single((await k8s.NetworkingV1.ListNamespacedNetworkPolicyAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);
        Assert.Single((await k8s.AppsV1.ListNamespacedDeploymentAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);
        Assert.Single((await k8s.CoreV1.ListNamespacedServiceAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);
        Assert.Single((await k8s.PolicyV1.ListNamespacedPodDisruptionBudgetAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);
        Assert.Single((await k8s.AutoscalingV2.ListNamespacedHorizontalPodAutoscalerAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);
        Assert.Single((await k8s.BatchV1.ListNamespacedJobAsync(ns, labelSelector: selector, cancellationToken: Ct)).Items);

        var suffix = TenantNames.Suffix(application.Id);
        await using var admin = new NpgsqlConnection(Servers.Postgres.ConnectionString("postgres"));
        await admin.OpenAsync(Ct);
        await using (var databases = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE position(@s in datname) > 0", admin))
        {
            databases.Parameters.AddWithValue("s", suffix);
            Assert.Equal(1L, await databases.ExecuteScalarAsync(Ct));
        }

        await using (var roles = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE position(@s in rolname) > 0", admin))
        {
            roles.Parameters.AddWithValue("s", suffix);
            Assert.Equal(1L, await roles.ExecuteScalarAsync(Ct));
        }

        await using var redis = await ConnectionMultiplexer.ConnectAsync(tenantRedis.ConnectionString);
        var users = (RedisResult[])(await redis.GetDatabase().ExecuteAsync("ACL", "USERS"))!;
        Assert.Single(users, u => u.ToString()!.Contains(suffix, StringComparison.Ordinal));
    }

    /// <summary>Makes <paramref name="step"/> wait on something the test holds, until the returned handle is disposed.</summary>
    private async Task<IAsyncDisposable> HoldAsync(string step, Application application)
    {
        var faults = kubernetes.Cluster.Faults;
        switch (step)
        {
            case ProvisioningSteps.Credentials:
                return await PostgresHoldAsync(App.DatabaseConnectionString, """LOCK TABLE "TenantCredentials" IN ACCESS EXCLUSIVE MODE""");
            case ProvisioningSteps.Database:
                // A role of the same name, created and not committed: the run's CREATE ROLE waits for this transaction.
                return await PostgresHoldAsync(Servers.Postgres.ConnectionString("postgres"), $"CREATE ROLE {TenantPostgres.Quote(TenantNames.Role(application.Id))}");
            case ProvisioningSteps.RedisUser:
                // The tenant Redis goes down (see WaitForStepAsync): the step keeps retrying.
                Hold? redisDown = null;
                redisDown = new Hold(async () =>
                {
                    if (redisDown!.Armed)
                    {
                        await tenantRedis.StartAsync();
                    }
                });
                return redisDown;
            case ProvisioningSteps.Activate:
                // The rollout is slowed down so that the application's row can be locked between it and the activation.
                faults.AddLatency(TimeSpan.FromMilliseconds(300), verb: "get", resource: "deployments");
                return new Hold(() => Task.CompletedTask);
            default:
                var (verb, resource) = step switch
                {
                    ProvisioningSteps.Namespace => ("patch", "namespaces"),
                    ProvisioningSteps.Configuration => ("patch", "serviceaccounts"),
                    ProvisioningSteps.Policies => ("patch", "resourcequotas"),
                    ProvisioningSteps.Workload => ("patch", "services"),
                    ProvisioningSteps.Migrations => ("patch", "jobs"),
                    ProvisioningSteps.Rollout => ("get", "deployments"),
                    _ => throw new ArgumentOutOfRangeException(nameof(step), step, null),
                };
                faults.AddLatency(Held, verb, resource);
                return new Hold(() => Task.CompletedTask);
        }
    }

    /// <summary>Waits until the stored run shows the step running (and, for the steps held from outside, holds it then).</summary>
    private async Task WaitForStepAsync(Application application, string step, Task<ProvisioningOutcome> run, IAsyncDisposable hold)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        var rolloutSeen = false;
        while (DateTime.UtcNow < deadline)
        {
            if (run.IsCompleted)
            {
                Assert.Fail($"The run ended ({(run.IsCompletedSuccessfully ? run.Result : run.Exception)}) before step {step} was seen running.");
            }

            var steps = (await RunsAsync(application)).SingleOrDefault()?.Steps ?? [];
            var current = steps.SingleOrDefault(s => s.Name == step);
            if (step == ProvisioningSteps.RedisUser && steps.Any(s => s.Name == ProvisioningSteps.Database && s.Status == ProvisioningStepStatus.Running) && hold is Hold redisDown && !redisDown.Armed)
            {
                // Stop the tenant Redis once the step before is under way.
                await tenantRedis.StopAsync();
                redisDown.Armed = true;
            }

            if (step == ProvisioningSteps.Activate && !rolloutSeen && steps.Any(s => s.Name == ProvisioningSteps.Rollout && s.Status == ProvisioningStepStatus.Running))
            {
                rolloutSeen = true;
                ((Hold)hold).Inner = await PostgresHoldAsync(App.DatabaseConnectionString, $"""SELECT 1 FROM "Applications" WHERE "Id" = '{application.Id}' FOR UPDATE""");
                kubernetes.Cluster.Faults.AddLatency(TimeSpan.Zero, verb: "get", resource: "deployments");
            }

            if (current?.Status == ProvisioningStepStatus.Running)
            {
                return;
            }

            Assert.NotEqual(ProvisioningStepStatus.Succeeded, current?.Status);
            await Task.Delay(10, Ct);
        }

        Assert.Fail($"Step {step} was not seen running.");
    }

    /// <summary>
    /// Waits until the running step is inside the call the test holds: a request the simulator slowed down, or a
    /// statement waiting for the test's lock. (A step held by the tenant Redis being down retries until it is back.)
    /// </summary>
    private async Task WaitUntilHeldAsync(Application application, string step)
    {
        switch (step)
        {
            case ProvisioningSteps.RedisUser:
                return;
            case ProvisioningSteps.Credentials or ProvisioningSteps.Database or ProvisioningSteps.Activate:
                await Eventually.WaitAsync(() => LockWaitersAsync(TenantNames.Role(application.Id)), waiters => waiters > 0, $"step {step} waiting for the held lock");
                return;
            default:
                await Eventually.WaitAsync(() => Task.FromResult(kubernetes.Cluster.Faults.HeldRequests), held => held > 0, $"step {step} inside its slowed-down request");
                return;
        }
    }

    /// <summary>Statements waiting for a lock in this test's database, or naming <paramref name="role"/> (the tenant role's CREATE ROLE runs elsewhere).</summary>
    private async Task<long> LockWaitersAsync(string role)
    {
        await using var admin = new NpgsqlConnection(Servers.Postgres.ConnectionString("postgres"));
        await admin.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND (datname = @database OR position(@role in query) > 0)", admin);
        command.Parameters.AddWithValue("database", new NpgsqlConnectionStringBuilder(App.DatabaseConnectionString).Database!);
        command.Parameters.AddWithValue("role", role);
        return (long)(await command.ExecuteScalarAsync(Ct))!;
    }

    private static async Task<IAsyncDisposable> PostgresHoldAsync(string connectionString, string sql)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        var transaction = await connection.BeginTransactionAsync(Ct);
        await using (var command = new NpgsqlCommand(sql, connection, transaction))
        {
            await command.ExecuteNonQueryAsync(Ct);
        }

        return new Hold(async () =>
        {
            await transaction.RollbackAsync();
            await connection.DisposeAsync();
        });
    }

    private Task<Application> NewApplicationAsync() => SimulatedRegion.NewApplicationAsync(App);

    private async Task<List<ProvisioningRun>> RunsAsync(Application application)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<ProvisioningRun>().AsNoTracking().Include(r => r.Steps).Where(r => r.ApplicationId == application.Id).ToListAsync(Ct);
    }

    private sealed class Hold(Func<Task> release) : IAsyncDisposable
    {
        public bool Armed { get; set; }

        public IAsyncDisposable? Inner { get; set; }

        public async ValueTask DisposeAsync()
        {
            if (Inner is not null)
            {
                await Inner.DisposeAsync();
            }

            await release();
        }
    }
}
