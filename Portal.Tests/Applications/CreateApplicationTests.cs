using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Applications;

public sealed class CreateApplicationTests(TestServers servers) : PortalTest(servers)
{
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Kubernetes:Regions:us-east-1:Kubeconfig"] = "simulated",
        ["Kubernetes:Regions:eu-west-1:Kubeconfig"] = "simulated",
    };

    private Task<Outcome<CreatedApplication>> CreateAsync(PortalUser by, Workspace workspace, NewApplication request) =>
        WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<CreateApplication>().ExecuteAsync(WorkspaceSteps.ActorFor(by), workspace.Id, request));

    private static NewApplication Request(string name, ApplicationEnvironment environment = ApplicationEnvironment.Production, string? configuration = null) =>
        new(name, null, environment, "us-east-1", configuration);

    [Fact]
    public async Task Create_StartsProvisioning_WithAFirstKeyPairOfTheEnvironmentsKind()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);

        var production = await CreateAsync(owner, workspace, Request("Storefront", configuration: """{"logLevel":"info","sessions":{"accessTokenTtlSeconds":900}}"""));
        var staging = await CreateAsync(owner, workspace, Request("Storefront staging", ApplicationEnvironment.Staging));

        Assert.True(production.Succeeded, production.Failure?.Message);
        Assert.Equal(("storefront", ApplicationStatus.Provisioning), (production.Value.Application.Slug, production.Value.Application.Status));
        Assert.StartsWith("pk_live_", production.Value.PublicKey.Value, StringComparison.Ordinal);
        Assert.StartsWith("sk_live_", production.Value.SecretKey.Value, StringComparison.Ordinal);
        Assert.StartsWith("sk_test_", staging.Value!.SecretKey.Value, StringComparison.Ordinal);
        await using var db = App.CreateDbContext();
        Assert.Equal(2, await db.Set<AuditEvent>().CountAsync(e => e.Action == "application.created", TestContext.Current.CancellationToken));
        Assert.Equal(4, await db.Set<ApiKey>().CountAsync(TestContext.Current.CancellationToken));
    }

    [Theory]
    [InlineData("""{"logLevel":"verbose"}""", "configuration.logLevel")]
    [InlineData("""{"sessions":{"accessTokenTtlSeconds":5}}""", "configuration.sessions.accessTokenTtlSeconds")]
    [InlineData("""{"cors":{"allowedOrigins":["not a url"]}}""", "configuration.cors.allowedOrigins.0")]
    [InlineData("""{"colour":"red"}""", "configuration.colour")]
    [InlineData("""[1,2]""", "configuration")]
    [InlineData("""{"logLevel":""", "configuration")]
    public async Task Create_WithAnInvalidConfiguration_IsRefusedNamingThePath(string configuration, string path)
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);

        var created = await CreateAsync(owner, workspace, Request("Storefront", configuration: configuration));

        Assert.Equal(FailureCode.InvalidRequest, created.Failure?.Code);
        Assert.Equal(path, created.Failure?.Field);
        await using var db = App.CreateDbContext();
        Assert.False(await db.Set<Application>().AnyAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task Create_RefusesAnUnknownRegion_AndATakenSlug()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        await CreateAsync(owner, workspace, Request("Storefront"));

        Assert.Equal("region", (await CreateAsync(owner, workspace, new NewApplication("Other", null, ApplicationEnvironment.Production, "mars-1"))).Failure?.Field);
        Assert.Equal(FailureCode.Conflict, (await CreateAsync(owner, workspace, Request("Storefront"))).Failure?.Code);
    }

    [Fact]
    public async Task FreePlan_AllowsThreeApplications_ProMore()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        for (var i = 1; i <= 3; i++)
        {
            Assert.True((await CreateAsync(owner, workspace, Request($"App {i}"))).Succeeded);
        }

        var fourth = await CreateAsync(owner, workspace, Request("App 4"));
        Assert.Equal(FailureCode.PlanLimit, fourth.Failure?.Code);

        await using (var db = App.CreateDbContext())
        {
            await db.Set<Workspace>().Where(w => w.Id == workspace.Id).ExecuteUpdateAsync(s => s.SetProperty(w => w.Plan, WorkspacePlan.Pro), TestContext.Current.CancellationToken);
        }

        Assert.True((await CreateAsync(owner, workspace, Request("App 4"))).Succeeded);
    }

    [Theory]
    [InlineData(WorkspaceRole.Developer, null)]
    [InlineData(WorkspaceRole.Billing, FailureCode.Forbidden)]
    [InlineData(WorkspaceRole.Viewer, FailureCode.Forbidden)]
    [InlineData(null, FailureCode.NotFound)]
    public async Task Create_AndList_FollowThePermissionTable(WorkspaceRole? role, FailureCode? refusal)
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        await CreateAsync(owner, workspace, Request("Existing"));
        var user = await WorkspaceSteps.CreateUserAsync(App);
        if (role is { } r)
        {
            await WorkspaceSteps.AddMemberAsync(App, workspace, user, r);
        }

        var created = await CreateAsync(user, workspace, Request("Mine"));
        var listed = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ApplicationQueries>().ListAsync(user.Id, workspace.Id));

        Assert.Equal(refusal, created.Failure?.Code);
        Assert.Equal(role is null ? FailureCode.NotFound : null, listed.Failure?.Code);
        Assert.Equal(role is null ? null : (refusal is null ? 2 : 1), listed.Value?.Total);
    }

    /// <summary>The whole path: create, the Hangfire worker provisions against the simulator, PostgreSQL and Redis, and the application becomes active.</summary>
    [Fact]
    public async Task Create_IsProvisionedByTheWorker_UntilActive()
    {
        await using var app = await PortalApp.CreateAsync(Servers, new Dictionary<string, string?>(Settings)
        {
            ["Portal:Roles:1"] = "worker",
            ["Kubernetes:Simulator:PodStartDelay"] = "00:00:00.050",
            ["Kubernetes:Simulator:PodReadyDelay"] = "00:00:00.100",
        });
        var owner = await WorkspaceSteps.CreateUserAsync(app);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(app, owner);

        var created = await WorkspaceSteps.RunAsync(app, sp => sp.GetRequiredService<CreateApplication>()
            .ExecuteAsync(WorkspaceSteps.ActorFor(owner), workspace.Id, Request("Storefront")));
        Assert.True(created.Succeeded, created.Failure?.Message);

        var deadline = DateTime.UtcNow.AddSeconds(90);
        Application? current;
        do
        {
            await Task.Delay(200, TestContext.Current.CancellationToken);
            await using var db = app.CreateDbContext();
            current = await db.Set<Application>().AsNoTracking().SingleAsync(a => a.Id == created.Value.Application.Id, TestContext.Current.CancellationToken);
        }
        while (current.Status == ApplicationStatus.Provisioning && DateTime.UtcNow < deadline);

        Assert.Equal(ApplicationStatus.Active, current.Status);
        // The simulated region's Service: the simulator's stand-in instance answers at the recorded internal URL.
        Assert.Contains("/authsome-app-", current.InternalUrl, StringComparison.Ordinal);
        using var http = new HttpClient();
        using var health = await http.GetAsync(new Uri(current.InternalUrl + "/v1/auth/health"), TestContext.Current.CancellationToken);
        Assert.Equal(System.Net.HttpStatusCode.OK, health.StatusCode);
    }
}
