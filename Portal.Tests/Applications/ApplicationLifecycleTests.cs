using System.Net;
using k8s;
using k8s.Autorest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Provisioning;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;
using Portal.Tests.Provisioning;
using Portal.Tests.Simulators.Kubernetes;
using StackExchange.Redis;

namespace Portal.Tests.Applications;

/// <summary>
/// Update, restart, delete, restore and teardown of applications, against the simulated cluster, the run's real
/// PostgreSQL (as tenant server) and the run's real Redis.
/// </summary>
public sealed class ApplicationLifecycleTests(TestServers servers, KubernetesSimulatorFixture kubernetes)
    : PortalTest(servers), IClassFixture<KubernetesSimulatorFixture>
{
    private const string Region = SimulatedRegion.Name;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override Dictionary<string, string?> Settings => SimulatedRegion.Settings(Servers, kubernetes);

    private IKubernetes Cluster => kubernetes.Client;

    private sealed record Provisioned(PortalUser Owner, Workspace Workspace, Application Application, string SecretKey);

    private Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> action) => WorkspaceSteps.RunAsync(App, action);

    /// <summary>An application created through the use case (with its keys) and provisioned to active.</summary>
    private async Task<Provisioned> ActiveApplicationAsync(PortalUser? owner = null, Workspace? workspace = null, string name = "Storefront")
    {
        owner ??= await WorkspaceSteps.CreateUserAsync(App);
        workspace ??= await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var created = await RunAsync(sp => sp.GetRequiredService<CreateApplication>()
            .ExecuteAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, new NewApplication(name, null, ApplicationEnvironment.Production, Region, """{"logLevel":"info"}"""), Ct));
        Assert.True(created.Succeeded, created.Failure?.Message);
        var application = created.Value.Application;
        Assert.Equal(ProvisioningOutcome.Succeeded, await RunAsync(sp => sp.GetRequiredService<ProvisionApplication>().ExecuteAsync(application.Id, Ct)));
        return new Provisioned(owner, workspace, await ReloadAsync(application.Id), created.Value.SecretKey.Value);
    }

    private async Task<Application> ReloadAsync(string applicationId)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<Application>().AsNoTracking().SingleAsync(a => a.Id == applicationId, Ct);
    }

    private Task<RollOutcome> RollAsync(string applicationId) => RunAsync(sp => sp.GetRequiredService<RollApplication>().ExecuteAsync(applicationId, Ct));

    private Task<Outcome<Application>> UpdateAsync(PortalUser by, string applicationId, ApplicationChange change) =>
        RunAsync(sp => sp.GetRequiredService<UpdateApplication>().ExecuteAsync(WorkspaceSteps.ActorFor(by), applicationId, change, Ct));

    private Task<Outcome<Application>> RestartAsync(PortalUser by, string applicationId) =>
        RunAsync(sp => sp.GetRequiredService<RestartApplication>().ExecuteAsync(WorkspaceSteps.ActorFor(by), applicationId, Ct));

    private Task<Outcome<Application>> DeleteAsync(PortalUser by, string applicationId, string? confirmName = null) =>
        RunAsync(sp => sp.GetRequiredService<DeleteApplication>().ExecuteAsync(WorkspaceSteps.ActorFor(by), applicationId, confirmName, Ct));

    private Task<Outcome<Application>> RestoreAsync(PortalUser by, string applicationId) =>
        RunAsync(sp => sp.GetRequiredService<DeleteApplication>().RestoreAsync(WorkspaceSteps.ActorFor(by), applicationId, Ct));

    private Task<UsableApiKey?> LookUpKeyAsync(string value) => RunAsync(sp => sp.GetRequiredService<ApiKeyLookup>().FindAsync(value, Ct));

    private Task<int> TeardownExpiredAsync() => RunAsync(sp => sp.GetRequiredService<TeardownApplication>().ExecuteExpiredAsync(Ct));

    private async Task<V1DeploymentView> DeploymentAsync(string applicationId)
    {
        var ns = TenantNames.Namespace(applicationId);
        var deployment = await Cluster.AppsV1.ReadNamespacedDeploymentAsync(InstanceManifests.Name, ns, cancellationToken: Ct);
        var pods = await Cluster.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app.kubernetes.io/name=" + InstanceManifests.Name, cancellationToken: Ct);
        return new V1DeploymentView(
            deployment.Spec.Template.Metadata.Annotations,
            pods.Items.Where(p => p.Metadata.DeletionTimestamp is null).Select(p => p.Metadata.Name).ToHashSet(),
            deployment.Spec.Strategy.RollingUpdate.MaxUnavailable.Value,
            deployment.Spec.Strategy.RollingUpdate.MaxSurge.Value);
    }

    private sealed record V1DeploymentView(IDictionary<string, string> Annotations, HashSet<string> Pods, string MaxUnavailable, string MaxSurge);

    [Fact]
    public async Task Update_NameAndConfiguration_RollsTheInstanceToANewConfigHash_AndEndsActive()
    {
        var (owner, _, application, _) = await ActiveApplicationAsync();
        var before = await DeploymentAsync(application.Id);

        var updated = await UpdateAsync(owner, application.Id, new ApplicationChange("Storefront EU", """{"logLevel":"debug","sessions":{"accessTokenTtlSeconds":600}}"""));

        Assert.True(updated.Succeeded, updated.Failure?.Message);
        Assert.Equal(("Storefront EU", ApplicationStatus.Restarting), (updated.Value.Name, updated.Value.Status));
        Assert.Equal(RollOutcome.Succeeded, await RollAsync(application.Id));
        var after = await DeploymentAsync(application.Id);
        Assert.Equal(ApplicationStatus.Active, (await ReloadAsync(application.Id)).Status);
        Assert.NotEqual(before.Annotations[InstanceManifests.ConfigHashAnnotation], after.Annotations[InstanceManifests.ConfigHashAnnotation]);
        Assert.Equal(("0", "1"), (after.MaxUnavailable, after.MaxSurge));
        Assert.Empty(before.Pods.Intersect(after.Pods));
        var config = await Cluster.CoreV1.ReadNamespacedConfigMapAsync(InstanceManifests.Name, TenantNames.Namespace(application.Id), cancellationToken: Ct);
        Assert.Contains("debug", config.Data["config.json"], StringComparison.Ordinal);

        await using var db = App.CreateDbContext();
        var audited = await db.Set<AuditEvent>().SingleAsync(e => e.Action == "application.updated" && e.TargetId == application.Id, Ct);
        Assert.Equal(("\"Storefront\"", "\"Storefront EU\""), WorkspaceSteps.ChangeOf(audited, "name"));
        Assert.Contains("debug", WorkspaceSteps.ChangeOf(audited, "configuration").After, StringComparison.Ordinal);

        // Provisioning's own apply afterwards keeps the roll's pod template: nothing changes.
        var version = (await Cluster.AppsV1.ReadNamespacedDeploymentAsync(InstanceManifests.Name, TenantNames.Namespace(application.Id), cancellationToken: Ct)).Metadata.ResourceVersion;
        Assert.Equal(ProvisioningOutcome.Succeeded, await RunAsync(sp => sp.GetRequiredService<ProvisionApplication>().ExecuteAsync(application.Id, Ct)));
        Assert.Equal(version, (await Cluster.AppsV1.ReadNamespacedDeploymentAsync(InstanceManifests.Name, TenantNames.Namespace(application.Id), cancellationToken: Ct)).Metadata.ResourceVersion);
    }

    [Theory]
    [InlineData("""{"logLevel":"verbose"}""", "configuration.logLevel")]
    [InlineData("""{"cors":{"allowedOrigins":["not a url"]}}""", "configuration.cors.allowedOrigins.0")]
    [InlineData("""{"unknown":1}""", "configuration.unknown")]
    public async Task Update_WithAnInvalidConfiguration_IsRefusedNamingThePath_AndChangesNothing(string configuration, string path)
    {
        var (owner, _, application, _) = await ActiveApplicationAsync();

        var updated = await UpdateAsync(owner, application.Id, new ApplicationChange("Renamed", configuration));

        Assert.Equal((FailureCode.InvalidRequest, path), (updated.Failure?.Code, updated.Failure?.Field));
        var reloaded = await ReloadAsync(application.Id);
        Assert.Equal(("Storefront", ApplicationStatus.Active), (reloaded.Name, reloaded.Status));
    }

    [Fact]
    public async Task Patch_OverTheApi_RenamesAndRefusesAnInvalidConfigurationWith400NamingThePath()
    {
        var (owner, _, application, _) = await ActiveApplicationAsync();
        using var client = ControlApiSteps.Client(App, await ControlApiSteps.SessionTokenAsync(App, new ControlApiSteps.TestUser(owner.Id, owner.Email!)));

        var invalid = await ControlApiSteps.PatchAsync(client, $"/control/v1/applications/{application.Id}", new { configuration = new { sessions = new { accessTokenTtlSeconds = 5 } } });
        var error = await ControlApiSteps.ErrorAsync(invalid, 400, "invalid_request");
        Assert.Contains("configuration.sessions.accessTokenTtlSeconds", error.ToJsonString(), StringComparison.Ordinal);

        var unknownField = await ControlApiSteps.SendAsync(client, HttpMethod.Patch, $"/control/v1/applications/{application.Id}", ControlApiSteps.Json("""{"name":"X","status":"active"}"""));
        Assert.Equal(HttpStatusCode.BadRequest, unknownField.StatusCode);

        var renamed = await ControlApiSteps.PatchAsync(client, $"/control/v1/applications/{application.Id}", new { name = "Renamed" });
        Assert.Equal(HttpStatusCode.OK, renamed.StatusCode);
        var body = await ControlApiSteps.BodyAsync(renamed);
        Assert.Equal(("Renamed", "active"), ((string?)body["name"], (string?)body["status"]));
    }

    [Fact]
    public async Task Restart_ReplacesEveryPodWithANewAnnotation_AndEndsActive()
    {
        var (owner, _, application, _) = await ActiveApplicationAsync();
        var before = await DeploymentAsync(application.Id);
        Assert.False(before.Annotations.ContainsKey(InstanceManifests.RestartedAtAnnotation));
        App.Clock.Advance(TimeSpan.FromMinutes(1));

        var restarted = await RestartAsync(owner, application.Id);

        Assert.True(restarted.Succeeded, restarted.Failure?.Message);
        Assert.Equal(ApplicationStatus.Restarting, restarted.Value.Status);
        Assert.Equal(RollOutcome.Succeeded, await RollAsync(application.Id));
        var after = await DeploymentAsync(application.Id);
        Assert.Equal(ApplicationStatus.Active, (await ReloadAsync(application.Id)).Status);
        Assert.Equal(before.Annotations[InstanceManifests.ConfigHashAnnotation], after.Annotations[InstanceManifests.ConfigHashAnnotation]);
        Assert.True(after.Annotations.ContainsKey(InstanceManifests.RestartedAtAnnotation));
        Assert.Equal(2, after.Pods.Count);
        Assert.Empty(before.Pods.Intersect(after.Pods));

        // A second restart is another new annotation, and again new pods.
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await RestartAsync(owner, application.Id)).Succeeded);
        Assert.Equal(RollOutcome.Succeeded, await RollAsync(application.Id));
        var third = await DeploymentAsync(application.Id);
        Assert.NotEqual(after.Annotations[InstanceManifests.RestartedAtAnnotation], third.Annotations[InstanceManifests.RestartedAtAnnotation]);
        Assert.Empty(after.Pods.Intersect(third.Pods));
    }

    [Fact]
    public async Task Restart_IsRefusedWhileProvisioningOrRestarting_AndWaitsForTheProvisioningLock()
    {
        var (owner, workspace, application, _) = await ActiveApplicationAsync();
        var created = await RunAsync(sp => sp.GetRequiredService<CreateApplication>()
            .ExecuteAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, new NewApplication("Pending", null, ApplicationEnvironment.Staging, Region), Ct));

        Assert.Equal(FailureCode.Conflict, (await RestartAsync(owner, created.Value!.Application.Id)).Failure?.Code);
        Assert.True((await RestartAsync(owner, application.Id)).Succeeded);
        var again = await RestartAsync(owner, application.Id);
        Assert.Equal(FailureCode.Conflict, again.Failure?.Code);
        Assert.Contains("already restarting", again.Failure!.Message, StringComparison.Ordinal);

        // While provisioning holds the application's lock, the roll does not run.
        await using (await ApplicationLock.TryAcquireAsync(App.Services.GetRequiredService<NpgsqlDataSource>(), application.Id, Ct))
        {
            Assert.Equal(RollOutcome.Busy, await RollAsync(application.Id));
        }

        Assert.Equal(RollOutcome.Succeeded, await RollAsync(application.Id));
    }

    [Fact]
    public async Task Restart_WhoseRolloutFails_EndsFailedWithTheError_ThenARestartRepairsIt()
    {
        var (owner, _, application, _) = await ActiveApplicationAsync();
        var ns = TenantNames.Namespace(application.Id);
        Assert.True((await RestartAsync(owner, application.Id)).Succeeded);
        kubernetes.Cluster.Faults.FailImagePulls(ns);
        try
        {
            Assert.Equal(RollOutcome.Failed, await RollAsync(application.Id));
        }
        finally
        {
            kubernetes.Cluster.Faults.FailImagePulls(ns, fail: false);
        }

        var failed = await ReloadAsync(application.Id);
        Assert.Equal(ApplicationStatus.Failed, failed.Status);
        Assert.Contains("ImagePull", failed.LastError, StringComparison.Ordinal);
        Assert.Contains("restart the application", failed.LastError, StringComparison.Ordinal);

        // Failed after having been active: a restart is allowed, and repairs it.
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.True((await RestartAsync(owner, application.Id)).Succeeded);
        Assert.Equal(RollOutcome.Succeeded, await RollAsync(application.Id));
        var repaired = await ReloadAsync(application.Id);
        Assert.Equal((ApplicationStatus.Active, null), (repaired.Status, repaired.LastError));
    }

    [Fact]
    public async Task Delete_StopsTheKeysAtOnce_RestoreBringsItBackActive()
    {
        var (owner, _, application, secretKey) = await ActiveApplicationAsync();
        Assert.Equal(application.Id, (await LookUpKeyAsync(secretKey))?.ApplicationId);

        Assert.Equal("confirmName", (await DeleteAsync(owner, application.Id, "wrong")).Failure?.Field);
        var deleted = await DeleteAsync(owner, application.Id, "Storefront");

        Assert.True(deleted.Succeeded, deleted.Failure?.Message);
        Assert.Equal(ApplicationStatus.Deleting, deleted.Value.Status);
        Assert.Equal(App.Clock.GetUtcNow(), deleted.Value.DeletedAt);
        Assert.Null(await LookUpKeyAsync(secretKey));
        Assert.Equal(FailureCode.Conflict, (await DeleteAsync(owner, application.Id)).Failure?.Code);
        Assert.Equal(FailureCode.Conflict, (await RestartAsync(owner, application.Id)).Failure?.Code);

        App.Clock.Advance(TimeSpan.FromDays(6));
        Assert.Equal(0, await TeardownExpiredAsync());
        var restored = await RestoreAsync(owner, application.Id);

        Assert.True(restored.Succeeded, restored.Failure?.Message);
        var reloaded = await ReloadAsync(application.Id);
        Assert.Equal((ApplicationStatus.Active, null), (reloaded.Status, reloaded.DeletedAt));
        Assert.Equal(application.Id, (await LookUpKeyAsync(secretKey))?.ApplicationId);
        await Cluster.CoreV1.ReadNamespaceAsync(TenantNames.Namespace(application.Id), cancellationToken: Ct);
        await using var db = App.CreateDbContext();
        Assert.Equal(2, await db.Set<AuditEvent>().CountAsync(e => e.TargetId == application.Id && (e.Action == "application.deleted" || e.Action == "application.restored"), Ct));
    }

    [Fact]
    public async Task Restore_AfterTheWindow_IsAConflict_AndTheFreePlanLimitApplies()
    {
        var (owner, workspace, application, _) = await ActiveApplicationAsync();
        Assert.True((await DeleteAsync(owner, application.Id)).Succeeded);
        // The free plan's three places are taken again meanwhile.
        for (var i = 0; i < 3; i++)
        {
            Assert.True((await RunAsync(sp => sp.GetRequiredService<CreateApplication>().ExecuteAsync(
                WorkspaceSteps.ActorFor(owner), workspace.Id, new NewApplication($"Other {i}", null, ApplicationEnvironment.Development, Region), Ct))).Succeeded);
        }

        Assert.Equal(FailureCode.PlanLimit, (await RestoreAsync(owner, application.Id)).Failure?.Code);

        App.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromSeconds(1));
        var late = await RestoreAsync(owner, application.Id);
        Assert.Equal(FailureCode.Conflict, late.Failure?.Code);
        Assert.Contains("no longer be restored", late.Failure!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restore_OfAnApplicationWhoseProvisioningHadNotFinished_ProvisionsItAgain()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var created = await RunAsync(sp => sp.GetRequiredService<CreateApplication>()
            .ExecuteAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, new NewApplication("Early", null, ApplicationEnvironment.Staging, Region), Ct));
        var id = created.Value!.Application.Id;
        Assert.True((await DeleteAsync(owner, id)).Succeeded);

        Assert.True((await RestoreAsync(owner, id)).Succeeded);

        Assert.Equal(ApplicationStatus.Provisioning, (await ReloadAsync(id)).Status);
        Assert.Equal(ProvisioningOutcome.Succeeded, await RunAsync(sp => sp.GetRequiredService<ProvisionApplication>().ExecuteAsync(id, Ct)));
        Assert.Equal(ApplicationStatus.Active, (await ReloadAsync(id)).Status);
    }

    [Fact]
    public async Task Teardown_AfterTheWindow_LeavesNothingInTheClusterPostgresOrRedis_AndRunningItTwiceIsHarmless()
    {
        var (owner, _, application, _) = await ActiveApplicationAsync();
        var (_, _, neighbour, _) = await ActiveApplicationAsync(name: "Neighbour");
        TenantCredentials names;
        await using (var db = App.CreateDbContext())
        {
            names = await db.Set<TenantCredentials>().AsNoTracking().SingleAsync(c => c.ApplicationId == application.Id, Ct);
        }

        await using var admin = await ConnectionMultiplexer.ConnectAsync(Servers.Redis.ConnectionString + ",allowAdmin=true");
        var redis = admin.GetDatabase();
        for (var i = 0; i < 1200; i++)
        {
            await redis.StringSetAsync($"{names.RedisKeyPrefix}session:{i}", "x");
        }

        await redis.StringSetAsync(TenantNames.RedisKeyPrefix(neighbour.Id) + "kept", "x");
        Assert.True((await DeleteAsync(owner, application.Id)).Succeeded);
        // A tenant connection still open to its database does not hold up the drop.
        var tenantPassword = App.Services.GetRequiredService<TenantSecrets>().Unprotect(names.ProtectedDatabasePassword);
        await using var open = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Servers.Postgres.ConnectionString(names.DatabaseName))
        { Username = names.DatabaseRole, Password = tenantPassword, Pooling = false }.ConnectionString);
        await open.OpenAsync(Ct);

        App.Clock.Advance(TimeSpan.FromDays(7) + TimeSpan.FromMinutes(1));
        Assert.Equal(1, await TeardownExpiredAsync());

        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => Cluster.CoreV1.ReadNamespaceAsync(names.Namespace, cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
        await using (var postgres = new NpgsqlConnection(Servers.Postgres.ConnectionString("postgres")))
        {
            await postgres.OpenAsync(Ct);
            await using var databases = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = @n", postgres);
            databases.Parameters.AddWithValue("n", names.DatabaseName);
            Assert.Equal(0L, (long)(await databases.ExecuteScalarAsync(Ct))!);
            await using var roles = new NpgsqlCommand("SELECT count(*) FROM pg_roles WHERE rolname = @n", postgres);
            roles.Parameters.AddWithValue("n", names.DatabaseRole);
            Assert.Equal(0L, (long)(await roles.ExecuteScalarAsync(Ct))!);
        }

        var users = (RedisResult[])(await redis.ExecuteAsync("ACL", "USERS"))!;
        Assert.DoesNotContain(names.RedisUser, users.Select(u => (string?)u));
        Assert.Contains(TenantNames.RedisUser(neighbour.Id), users.Select(u => (string?)u));
        Assert.Empty(admin.GetServers()[0].Keys(pattern: names.RedisKeyPrefix + "*"));
        Assert.True(await redis.KeyExistsAsync(TenantNames.RedisKeyPrefix(neighbour.Id) + "kept"));

        await using (var db = App.CreateDbContext())
        {
            Assert.False(await db.Set<TenantCredentials>().AnyAsync(c => c.ApplicationId == application.Id, Ct));
            var row = await db.Set<Application>().AsNoTracking().SingleAsync(a => a.Id == application.Id, Ct);
            Assert.Equal(ApplicationStatus.Deleted, row.Status);
            var audited = await db.Set<AuditEvent>().SingleAsync(e => e.Action == "application.torn_down" && e.TargetId == application.Id, Ct);
            Assert.Equal(ActorTypes.System, audited.ActorType);
        }

        // Twice: nothing more to do, nothing breaks; and a teardown resumed after a crash (row still deleting) finishes.
        Assert.Equal(0, await TeardownExpiredAsync());
        await using (var db = App.CreateDbContext())
        {
            await db.Set<Application>().Where(a => a.Id == application.Id)
                .ExecuteUpdateAsync(s => s.SetProperty(a => a.Status, ApplicationStatus.Deleting), Ct);
        }

        Assert.Equal(1, await TeardownExpiredAsync());
        Assert.Equal(ApplicationStatus.Deleted, (await ReloadAsync(application.Id)).Status);
        Assert.Equal(ApplicationStatus.Active, (await ReloadAsync(neighbour.Id)).Status);
        await Cluster.CoreV1.ReadNamespaceAsync(TenantNames.Namespace(neighbour.Id), cancellationToken: Ct);
    }

    [Fact]
    public async Task WorkspaceDeletion_SuspendsItsApplications_RestoreBringsThemBack_PurgeTearsThemDown()
    {
        var (owner, workspace, application, secretKey) = await ActiveApplicationAsync();
        var actor = WorkspaceSteps.ActorFor(owner);

        Assert.True((await RunAsync(sp => sp.GetRequiredService<DeleteWorkspace>().ExecuteAsync(actor, workspace.Id, null, Ct))).Succeeded);
        Assert.Equal(ApplicationStatus.Suspended, (await ReloadAsync(application.Id)).Status);
        Assert.Null(await LookUpKeyAsync(secretKey));
        // Provisioning leaves a suspended application alone.
        Assert.Equal(ProvisioningOutcome.NotProvisionable, await RunAsync(sp => sp.GetRequiredService<ProvisionApplication>().ExecuteAsync(application.Id, Ct)));

        Assert.True((await RunAsync(sp => sp.GetRequiredService<DeleteWorkspace>().RestoreAsync(actor, workspace.Id, Ct))).Succeeded);
        Assert.Equal(ApplicationStatus.Active, (await ReloadAsync(application.Id)).Status);
        Assert.NotNull(await LookUpKeyAsync(secretKey));

        Assert.True((await RunAsync(sp => sp.GetRequiredService<DeleteWorkspace>().ExecuteAsync(actor, workspace.Id, null, Ct))).Succeeded);
        App.Clock.Advance(TimeSpan.FromDays(31));
        Assert.Equal(1, await RunAsync(sp => sp.GetRequiredService<PurgeDeletedWorkspaces>().ExecuteAsync(Ct)));

        var gone = await Assert.ThrowsAsync<HttpOperationException>(() => Cluster.CoreV1.ReadNamespaceAsync(TenantNames.Namespace(application.Id), cancellationToken: Ct));
        Assert.Equal(HttpStatusCode.NotFound, gone.Response.StatusCode);
        await using var db = App.CreateDbContext();
        Assert.False(await db.Set<Workspace>().AnyAsync(w => w.Id == workspace.Id, Ct));
        Assert.True(await db.Set<AuditEvent>().AnyAsync(e => e.Action == "application.torn_down" && e.TargetId == application.Id, Ct));
    }
}
