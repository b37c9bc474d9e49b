using k8s;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Steps;
using Portal.Tests.Infrastructure;
using Portal.Tests.Simulators.Kubernetes;
using StackExchange.Redis;

namespace Portal.Tests.Provisioning;

/// <summary>Provisioning end to end: the simulated cluster, the run's real PostgreSQL as tenant server, the run's real Redis.</summary>
public sealed class ProvisioningTests(TestServers servers, KubernetesSimulatorFixture kubernetes)
    : PortalTest(servers), IClassFixture<KubernetesSimulatorFixture>
{
    private const string Region = SimulatedRegion.Name;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override Dictionary<string, string?> Settings
    {
        get
        {
            var settings = SimulatedRegion.Settings(Servers, kubernetes);
            settings["Provisioning:MigrationTimeout"] = "00:00:05";
            return settings;
        }
    }

    private IKubernetes Cluster => kubernetes.Client;

    private Task<Application> NewApplicationAsync(string slug = "storefront") => SimulatedRegion.NewApplicationAsync(App, slug);

    private Task<ProvisioningOutcome> ProvisionAsync(Application application) =>
        WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ProvisionApplication>().ExecuteAsync(application.Id, Ct));

    private async Task<Application> ReloadAsync(Application application)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<Application>().AsNoTracking().SingleAsync(a => a.Id == application.Id, Ct);
    }

    private async Task<string> CreatorEmailAsync(Application application)
    {
        await using var db = App.CreateDbContext();
        return await db.Users.Where(u => u.Id == application.CreatedByUserId).Select(u => u.Email!).SingleAsync(Ct);
    }

    private async Task<List<ProvisioningRun>> RunsAsync(Application application)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<ProvisioningRun>().AsNoTracking().Include(r => r.Steps)
            .Where(r => r.ApplicationId == application.Id).OrderBy(r => r.Steps.Max(s => s.Id)).ToListAsync(Ct);
    }

    private async Task<(TenantCredentials Names, string DatabasePassword, string RedisPassword)> CredentialsAsync(Application application)
    {
        await using var db = App.CreateDbContext();
        var names = await db.Set<TenantCredentials>().AsNoTracking().SingleAsync(c => c.ApplicationId == application.Id, Ct);
        var secrets = App.Services.GetRequiredService<TenantSecrets>();
        return (names, secrets.Unprotect(names.ProtectedDatabasePassword), secrets.Unprotect(names.ProtectedRedisPassword));
    }

    private string TenantConnection(string database, string role, string password) =>
        new NpgsqlConnectionStringBuilder(Servers.Postgres.ConnectionString(database)) { Username = role, Password = password, Pooling = false }.ConnectionString;

    [Fact]
    public void RegisteredSteps_AreTheDocumentedSteps_InTheirOrder() =>
        Assert.Equal(ProvisioningSteps.All, App.Services.GetServices<IProvisioningStep>().Select(s => s.Name));

    [Fact]
    public async Task Provision_GivesTheApplicationItsOwnDatabaseRedisUserAndInstance()
    {
        var application = await NewApplicationAsync();
        var other = await NewApplicationAsync("other");

        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(application));
        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(other));

        var done = await ReloadAsync(application);
        var ns = TenantNames.Namespace(application.Id);
        var creator = await CreatorEmailAsync(application);
        var ready = await App.Smtp.WaitForAsync(creator, "Storefront is ready");
        Assert.EndsWith($"/workspaces/{application.WorkspaceId}/applications/{application.Id}", TestSmtpServer.LinkIn(ready, "/applications/"), StringComparison.Ordinal);
        Assert.Equal(ApplicationStatus.Active, done.Status);
        Assert.Equal(kubernetes.Simulator.Instances.ServiceUri(kubernetes.Cluster.Name, ns, InstanceManifests.Name).AbsoluteUri, done.InternalUrl);
        var run = Assert.Single(await RunsAsync(application));
        Assert.Equal(ProvisioningRunStatus.Succeeded, run.Status);
        Assert.Equal(ProvisioningSteps.All, run.Steps.OrderBy(s => s.Order).Select(s => s.Name));
        Assert.All(run.Steps, s => Assert.Equal((ProvisioningStepStatus.Succeeded, 1), (s.Status, s.Attempts)));

        // PostgreSQL: its own database only.
        var (names, dbPassword, redisPassword) = await CredentialsAsync(application);
        var otherNames = (await CredentialsAsync(other)).Names;
        await using (var own = new NpgsqlConnection(TenantConnection(names.DatabaseName, names.DatabaseRole, dbPassword)))
        {
            await own.OpenAsync(Ct);
            await using var create = new NpgsqlCommand("CREATE TABLE users (id int); INSERT INTO users VALUES (1)", own);
            await create.ExecuteNonQueryAsync(Ct);
        }

        var controlDatabase = new NpgsqlConnectionStringBuilder(App.DatabaseConnectionString).Database!;
        foreach (var refused in new[] { otherNames.DatabaseName, controlDatabase, "postgres" })
        {
            await using var connection = new NpgsqlConnection(TenantConnection(refused, names.DatabaseRole, dbPassword));
            var e = await Assert.ThrowsAsync<PostgresException>(() => connection.OpenAsync(Ct));
            Assert.Equal("42501", e.SqlState);
        }

        // Redis: its own prefix only.
        var redisOptions = ConfigurationOptions.Parse(Servers.Redis.ConnectionString);
        redisOptions.User = names.RedisUser;
        redisOptions.Password = redisPassword;
        await using (var tenantRedis = await ConnectionMultiplexer.ConnectAsync(redisOptions))
        {
            var redis = tenantRedis.GetDatabase();
            Assert.True(await redis.StringSetAsync(names.RedisKeyPrefix + "x", "1"));
            Assert.Equal("1", await redis.StringGetAsync(names.RedisKeyPrefix + "x"));
            var denied = await Assert.ThrowsAsync<RedisServerException>(() => redis.StringGetAsync(otherNames.RedisKeyPrefix + "x"));
            Assert.StartsWith("NOPERM", denied.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<RedisServerException>(() => redis.StringSetAsync("portal:x", "1"));
        }

        // Kubernetes: every object, labelled.
        var nsObject = await Cluster.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Ct);
        Assert.Equal(application.WorkspaceId, nsObject.Metadata.Labels[InstanceManifests.WorkspaceLabel]);
        Assert.Equal(application.Id, nsObject.Metadata.Labels[InstanceManifests.ApplicationLabel]);
        Assert.Equal("production", nsObject.Metadata.Labels[InstanceManifests.EnvironmentLabel]);
        Assert.Equal(Region, nsObject.Metadata.Labels[InstanceManifests.RegionLabel]);
        await Cluster.CoreV1.ReadNamespacedServiceAccountAsync("authsome", ns, cancellationToken: Ct);
        var secret = await Cluster.CoreV1.ReadNamespacedSecretAsync("authsome", ns, cancellationToken: Ct);
        Assert.Contains($"{names.DatabaseRole}:{dbPassword}@", System.Text.Encoding.UTF8.GetString(secret.Data["DATABASE_URL"]), StringComparison.Ordinal);
        Assert.Contains($"{names.RedisUser}:{redisPassword}@", System.Text.Encoding.UTF8.GetString(secret.Data["REDIS_URL"]), StringComparison.Ordinal);
        Assert.True(secret.Data.ContainsKey("SIGNING_KEY"));
        var config = await Cluster.CoreV1.ReadNamespacedConfigMapAsync("authsome", ns, cancellationToken: Ct);
        Assert.Equal(names.RedisKeyPrefix, config.Data["REDIS_KEY_PREFIX"]);
        await Cluster.CoreV1.ReadNamespacedResourceQuotaAsync("authsome", ns, cancellationToken: Ct);
        await Cluster.CoreV1.ReadNamespacedLimitRangeAsync("authsome", ns, cancellationToken: Ct);
        var policy = await Cluster.NetworkingV1.ReadNamespacedNetworkPolicyAsync("authsome", ns, cancellationToken: Ct);
        Assert.Equal(["Ingress", "Egress"], policy.Spec.PolicyTypes);
        var ingress = Assert.Single(policy.Spec.Ingress);
        Assert.Equal("8080", Assert.Single(ingress.Ports).Port.Value);
        Assert.Equal("proxy", Assert.Single(ingress.FromProperty).PodSelector.MatchLabels["app.kubernetes.io/component"]);
        Assert.Equal(["53", "53", Servers.Postgres.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), Servers.Redis.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "443"],
            policy.Spec.Egress.SelectMany(e => e.Ports).Select(p => p.Port.Value));

        var deployment = await Cluster.AppsV1.ReadNamespacedDeploymentAsync("authsome", ns, cancellationToken: Ct);
        Assert.Equal(2, deployment.Spec.Replicas);
        Assert.Equal(2, deployment.Status.ReadyReplicas);
        Assert.Equal(application.Id, deployment.Spec.Template.Metadata.Labels[InstanceManifests.ApplicationLabel]);
        var container = Assert.Single(deployment.Spec.Template.Spec.Containers);
        Assert.Equal("1", container.Resources.Limits["cpu"].ToString());
        Assert.Equal("2Gi", container.Resources.Limits["memory"].ToString());
        Assert.Equal(("/v1/auth/health", "8080"), (container.ReadinessProbe.HttpGet.Path, container.ReadinessProbe.HttpGet.Port.Value));
        Assert.Equal(("/v1/auth/health", "8080"), (container.LivenessProbe.HttpGet.Path, container.LivenessProbe.HttpGet.Port.Value));
        Assert.True(deployment.Spec.Template.Spec.SecurityContext.RunAsNonRoot);
        Assert.True(container.SecurityContext.ReadOnlyRootFilesystem);
        var service = await Cluster.CoreV1.ReadNamespacedServiceAsync("authsome", ns, cancellationToken: Ct);
        Assert.Equal(8080, Assert.Single(service.Spec.Ports).Port);
        Assert.Equal(1, (await Cluster.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("authsome", ns, cancellationToken: Ct)).Spec.MinAvailable.Value is "1" ? 1 : 0);
        var hpa = await Cluster.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("authsome", ns, cancellationToken: Ct);
        Assert.Equal((2, 4), (hpa.Spec.MinReplicas, hpa.Spec.MaxReplicas));

        // The database migration ran once, as a Job named after the image, locked down like the server.
        var job = await Cluster.BatchV1.ReadNamespacedJobAsync(InstanceManifests.MigrationJobName("ghcr.io/authsome/authsome:latest"), ns, cancellationToken: Ct);
        Assert.Contains(job.Status.Conditions, c => (c.Type, c.Status) == ("Complete", "True"));
        Assert.Equal(2, job.Spec.BackoffLimit);
        Assert.True(job.Spec.TtlSecondsAfterFinished >= 86400);
        var migrate = Assert.Single(job.Spec.Template.Spec.Containers);
        Assert.Equal((container.Image, "migrate"), (migrate.Image, Assert.Single(migrate.Args)));
        Assert.Contains(migrate.EnvFrom, e => e.SecretRef?.Name == "authsome");
        Assert.True(job.Spec.Template.Spec.SecurityContext.RunAsNonRoot);
        Assert.True(migrate.SecurityContext.ReadOnlyRootFilesystem);
        Assert.Equal("Never", job.Spec.Template.Spec.RestartPolicy);
        // Its pods are not the instance's: no Service or PodDisruptionBudget selects them.
        Assert.NotEqual("authsome", job.Spec.Template.Metadata.Labels["app.kubernetes.io/name"]);
    }

    [Fact]
    public async Task Provision_AgainAfterTheAutoscalerScaled_LeavesTheReplicaCountToIt()
    {
        var application = await NewApplicationAsync();
        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(application));
        var ns = TenantNames.Namespace(application.Id);
        var deployment = await Cluster.AppsV1.ReadNamespacedDeploymentAsync("authsome", ns, cancellationToken: Ct);
        Assert.DoesNotContain(deployment.Metadata.ManagedFields, f => f.Manager == InstanceManifests.FieldManager && f.FieldsV1.ToString()!.Contains("f:replicas", StringComparison.Ordinal));

        // What the HorizontalPodAutoscaler does: an update of the replica count by its own manager.
        await Cluster.AppsV1.PatchNamespacedDeploymentAsync(new V1Patch("""{"spec":{"replicas":3}}""", V1Patch.PatchType.MergePatch), "authsome", ns,
            fieldManager: "horizontal-pod-autoscaler", cancellationToken: Ct);

        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(application));

        deployment = await Cluster.AppsV1.ReadNamespacedDeploymentAsync("authsome", ns, cancellationToken: Ct);
        Assert.Equal(3, deployment.Spec.Replicas);
        Assert.Equal(3, deployment.Status.ReadyReplicas);
    }

    [Fact]
    public async Task Provision_AFinishedApplicationAgain_ChangesNoResourceVersion()
    {
        var application = await NewApplicationAsync();
        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(application));
        var ns = TenantNames.Namespace(application.Id);
        var before = await ResourceVersionsAsync(ns);

        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(application));

        Assert.Equal(before, await ResourceVersionsAsync(ns));
        Assert.Equal(2, (await RunsAsync(application)).Count);
        // One "ready" email: the second run found the application active already.
        var creator = await CreatorEmailAsync(application);
        await App.Smtp.WaitForAsync(creator, "is ready");
        Assert.Single(App.Smtp.Messages, m => m.To.Mailboxes.Any(a => a.Address == creator));
        Assert.Equal(ApplicationStatus.Active, (await ReloadAsync(application)).Status);
    }

    private Task<IReadOnlyList<string>?> ReconcileAsync(Application application) =>
        WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ReconcileDrift>().ReconcileAsync(application.Id, Ct));

    private async Task<List<AuditEvent>> DriftEventsAsync(Application application)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<AuditEvent>().AsNoTracking().Where(e => e.Action == ReconcileDrift.AuditAction && e.TargetId == application.Id).ToListAsync(Ct);
    }

    [Fact]
    public async Task ReconcileDrift_DeletedAndChangedObjects_AreRestoredAndRecordedOnce()
    {
        var application = await NewApplicationAsync();
        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(application));
        var ns = TenantNames.Namespace(application.Id);
        var names = (await CredentialsAsync(application)).Names;
        var configHash = (await Cluster.AppsV1.ReadNamespacedDeploymentAsync("authsome", ns, cancellationToken: Ct)).Spec.Template.Metadata.Annotations[InstanceManifests.ConfigHashAnnotation];

        await Cluster.CoreV1.DeleteNamespacedServiceAsync("authsome", ns, cancellationToken: Ct);
        await Cluster.NetworkingV1.DeleteNamespacedNetworkPolicyAsync("authsome", ns, cancellationToken: Ct);
        await Cluster.AppsV1.PatchNamespacedDeploymentAsync(
            new V1Patch("{\"spec\":{\"template\":{\"metadata\":{\"annotations\":{\"" + InstanceManifests.ConfigHashAnnotation + "\":\"tampered\"}}}}}", V1Patch.PatchType.MergePatch),
            "authsome", ns, fieldManager: "kubectl-edit", cancellationToken: Ct);
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(Servers.Redis.ConnectionString))
        {
            await admin.GetDatabase().ExecuteAsync("ACL", "DELUSER", names.RedisUser);
        }

        var repaired = await ReconcileAsync(application);

        Assert.NotNull(repaired);
        Assert.Equal(["Redis user " + names.RedisUser, "NetworkPolicy (recreated)", "Deployment (changed back)", "Service (recreated)"], repaired);
        await Cluster.CoreV1.ReadNamespacedServiceAsync("authsome", ns, cancellationToken: Ct);
        await Cluster.NetworkingV1.ReadNamespacedNetworkPolicyAsync("authsome", ns, cancellationToken: Ct);
        var deployment = await Cluster.AppsV1.ReadNamespacedDeploymentAsync("authsome", ns, cancellationToken: Ct);
        Assert.Equal(configHash, deployment.Spec.Template.Metadata.Annotations[InstanceManifests.ConfigHashAnnotation]);
        var recorded = Assert.Single(await DriftEventsAsync(application));
        Assert.Equal((ActorTypes.System, application.WorkspaceId), (recorded.ActorType, recorded.WorkspaceId));
        Assert.Contains("Service (recreated)", recorded.Changes, StringComparison.Ordinal);
        Assert.Contains("NetworkPolicy (recreated)", recorded.Changes, StringComparison.Ordinal);

        // Repaired once: the next pass finds nothing.
        Assert.Empty((await ReconcileAsync(application))!);
        Assert.Single(await DriftEventsAsync(application));
    }

    [Fact]
    public async Task ReconcileDrift_ARedisUserWithAnOlderReleasesRules_GetsTheAllowList_KeepsItsPassword_AndIsRecorded()
    {
        var application = await NewApplicationAsync();
        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(application));
        var (names, _, redisPassword) = await CredentialsAsync(application);
        // The rules of the release before the allow-list: every command but @admin and @dangerous, SCAN included.
        await using (var admin = await ConnectionMultiplexer.ConnectAsync(Servers.Redis.ConnectionString))
        {
            await admin.GetDatabase().ExecuteAsync("ACL", "SETUSER", names.RedisUser, "reset", "on", ">" + redisPassword,
                "~" + names.RedisKeyPrefix + "*", "resetchannels", "&" + names.RedisKeyPrefix + "*", "+@all", "-@admin", "-@dangerous");
        }

        var redisOptions = ConfigurationOptions.Parse(Servers.Redis.ConnectionString);
        redisOptions.User = names.RedisUser;
        redisOptions.Password = redisPassword;
        await using (var before = await ConnectionMultiplexer.ConnectAsync(redisOptions))
        {
            await before.GetDatabase().ExecuteAsync("SCAN", "0");
        }

        var repaired = await ReconcileAsync(application);

        Assert.Equal([$"Redis user {names.RedisUser} (rules changed back)"], repaired);
        var recorded = Assert.Single(await DriftEventsAsync(application));
        Assert.Contains(names.RedisUser, recorded.Changes, StringComparison.Ordinal);
        // The same password still signs in; its own keys work, SCAN no longer does.
        await using (var tenant = await ConnectionMultiplexer.ConnectAsync(redisOptions))
        {
            var redis = tenant.GetDatabase();
            Assert.True(await redis.StringSetAsync(names.RedisKeyPrefix + "x", "1"));
            var refused = await Assert.ThrowsAsync<RedisServerException>(() => redis.ExecuteAsync("SCAN", "0"));
            Assert.StartsWith("NOPERM", refused.Message, StringComparison.Ordinal);
        }

        Assert.Empty((await ReconcileAsync(application))!);
        Assert.Single(await DriftEventsAsync(application));
    }

    [Fact]
    public async Task ReconcileDrift_ACleanApplication_RecordsNothingAndChangesNoResourceVersion()
    {
        var application = await NewApplicationAsync();
        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(application));
        var before = await ResourceVersionsAsync(TenantNames.Namespace(application.Id));

        var repaired = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ReconcileDrift>().ExecuteAsync(Ct));

        Assert.Equal(0, repaired);
        Assert.Equal(before, await ResourceVersionsAsync(TenantNames.Namespace(application.Id)));
        Assert.Empty(await DriftEventsAsync(application));
    }

    [Fact]
    public async Task ReconcileDrift_WhileProvisioningHoldsTheLock_SkipsTheApplication()
    {
        var application = await NewApplicationAsync();
        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(application));
        var ns = TenantNames.Namespace(application.Id);
        await Cluster.CoreV1.DeleteNamespacedServiceAsync("authsome", ns, cancellationToken: Ct);
        await using var held = new NpgsqlConnection(App.DatabaseConnectionString);
        await held.OpenAsync(Ct);
        await using (var take = new NpgsqlCommand("SELECT pg_advisory_lock(hashtextextended(@key, 0))", held))
        {
            take.Parameters.AddWithValue("key", "provisioning:" + application.Id);
            await take.ExecuteScalarAsync(Ct);
        }

        Assert.Null(await ReconcileAsync(application));

        await Assert.ThrowsAsync<k8s.Autorest.HttpOperationException>(() => Cluster.CoreV1.ReadNamespacedServiceAsync("authsome", ns, cancellationToken: Ct));
        Assert.Empty(await DriftEventsAsync(application));
    }

    private async Task<List<string>> ResourceVersionsAsync(string ns) =>
    [
        (await Cluster.CoreV1.ReadNamespaceAsync(ns, cancellationToken: Ct)).Metadata.ResourceVersion,
        (await Cluster.CoreV1.ReadNamespacedServiceAccountAsync("authsome", ns, cancellationToken: Ct)).Metadata.ResourceVersion,
        (await Cluster.CoreV1.ReadNamespacedSecretAsync("authsome", ns, cancellationToken: Ct)).Metadata.ResourceVersion,
        (await Cluster.CoreV1.ReadNamespacedConfigMapAsync("authsome", ns, cancellationToken: Ct)).Metadata.ResourceVersion,
        (await Cluster.CoreV1.ReadNamespacedResourceQuotaAsync("authsome", ns, cancellationToken: Ct)).Metadata.ResourceVersion,
        (await Cluster.CoreV1.ReadNamespacedLimitRangeAsync("authsome", ns, cancellationToken: Ct)).Metadata.ResourceVersion,
        (await Cluster.NetworkingV1.ReadNamespacedNetworkPolicyAsync("authsome", ns, cancellationToken: Ct)).Metadata.ResourceVersion,
        (await Cluster.AppsV1.ReadNamespacedDeploymentAsync("authsome", ns, cancellationToken: Ct)).Metadata.ResourceVersion,
        (await Cluster.CoreV1.ReadNamespacedServiceAsync("authsome", ns, cancellationToken: Ct)).Metadata.ResourceVersion,
        (await Cluster.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync("authsome", ns, cancellationToken: Ct)).Metadata.ResourceVersion,
        (await Cluster.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync("authsome", ns, cancellationToken: Ct)).Metadata.ResourceVersion,
    ];

    [Fact]
    public async Task Provision_Through429And500Faults_EndsActive()
    {
        var application = await NewApplicationAsync();
        var ns = TenantNames.Namespace(application.Id);
        kubernetes.Cluster.Faults.FailNext(2, 429, verb: "patch", resource: "namespaces", retryAfterSeconds: 1);
        kubernetes.Cluster.Faults.FailNext(2, 500, verb: "patch", resource: "deployments", @namespace: ns);
        kubernetes.Cluster.Faults.FailNext(1, 503, verb: "get", resource: "deployments", @namespace: ns);

        Assert.Equal(ProvisioningOutcome.Succeeded, await ProvisionAsync(application));

        Assert.Equal(ApplicationStatus.Active, (await ReloadAsync(application)).Status);
        Assert.All(Assert.Single(await RunsAsync(application)).Steps, s => Assert.Equal(1, s.Attempts));
    }

    [Fact]
    public async Task Provision_ImagePullFailure_FailsWithTheReason_ThenRetryAfterTheFix_EndsActive()
    {
        var application = await NewApplicationAsync();
        var ns = TenantNames.Namespace(application.Id);
        kubernetes.Cluster.Faults.FailImagePulls(ns);
        try
        {
            Assert.Equal(ProvisioningOutcome.Failed, await ProvisionAsync(application));

            Assert.Equal(ApplicationStatus.Failed, (await ReloadAsync(application)).Status);
            var failed = Assert.Single(await RunsAsync(application));
            Assert.Equal(ProvisioningRunStatus.Failed, failed.Status);
            var step = Assert.Single(failed.Steps, s => s.Status == ProvisioningStepStatus.Failed);
            // The migration Job is the first to run the image.
            Assert.Equal((ProvisioningSteps.Migrations, 3), (step.Name, step.Attempts));
            Assert.Contains("ImagePull", failed.Error, StringComparison.Ordinal);
        }
        finally
        {
            kubernetes.Cluster.Faults.FailImagePulls(ns, fail: false);
        }

        var retried = await ProvisionAsync(application);

        var retry = (await RunsAsync(application))[^1];
        Assert.True(retried == ProvisioningOutcome.Succeeded, retry.Error);
        Assert.Equal(ApplicationStatus.Active, (await ReloadAsync(application)).Status);
        // The retry resumed from the failed step: the steps before it were not run again.
        Assert.All(retry.Steps.Where(s => s.Order < ProvisioningSteps.All.ToList().IndexOf(ProvisioningSteps.Migrations)), s => Assert.Equal(0, s.Attempts));
        Assert.Equal(1, retry.Steps.Single(s => s.Name == ProvisioningSteps.Migrations).Attempts);
    }

    [Fact]
    public async Task Provision_TwoRunsAtOnce_OnlyOneProceeds()
    {
        var application = await NewApplicationAsync();

        var outcomes = await Task.WhenAll(ProvisionAsync(application), ProvisionAsync(application));

        Assert.Equal([ProvisioningOutcome.Succeeded, ProvisioningOutcome.AlreadyRunning], outcomes.Order());
        Assert.Single(await RunsAsync(application));
        Assert.Equal(ApplicationStatus.Active, (await ReloadAsync(application)).Status);
    }
}
