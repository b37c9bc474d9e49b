using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.Admin;
using Portal.Core.Audit;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Admin;

public sealed class AdminAreaTests(TestServers servers) : PortalTest(servers)
{
    private const string AdminEmail = "platform-admin@example.com";

    protected override Dictionary<string, string?> Settings => new() { ["Portal:PlatformAdmins:0"] = AdminEmail };

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    private T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    private async Task<Actor> AdminAsync()
    {
        var admin = await WorkspaceSteps.AddUserAsync(App, AdminEmail);
        return Actor.User(admin.Id, AdminEmail, new ClientInfo("198.51.100.9", "AdminTest", "req-admin"));
    }

    private async Task<List<AuditEvent>> EventsAsync(string action)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<AuditEvent>().Where(e => e.Action == action).ToListAsync(Cancel);
    }

    private static JsonElement Changes(AuditEvent e) => JsonDocument.Parse(e.Changes!).RootElement;

    [Theory]
    [InlineData("/admin/workspaces")]
    [InlineData("/admin/users")]
    public async Task AdminPages_SendAnonymousToSignIn_RefuseOrdinaryUsers_AndOpenForAdmins(string url)
    {
        using var anonymous = App.CreatePortalClient();
        Assert.Equal("/Account/Login", (await anonymous.GetAsync(url)).Url.AbsolutePath);

        using var ordinary = App.CreatePortalClient();
        await AccountSteps.RegisterAndSignInAsync(App, ordinary);
        var refused = await ordinary.GetAsync(url);
        Assert.True(refused.Url.AbsolutePath == "/Account/AccessDenied" || refused.Response.StatusCode == HttpStatusCode.Forbidden, refused.Url.ToString());

        using var admin = App.CreatePortalClient();
        await AccountSteps.RegisterConfirmedAsync(App, admin, AdminEmail);
        await AccountSteps.SignInAsync(admin, AdminEmail);
        var page = await admin.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, page.Response.StatusCode);
        Assert.Equal(url, page.Url.AbsolutePath);
        Assert.DoesNotContain("You do not have access", page.Text, StringComparison.Ordinal);
        Assert.NotNull(page.Document.QuerySelector("[data-testid^='admin-']"));
    }

    [Fact]
    public async Task SuspendWorkspace_IsRecordedInItsLog_BlocksChanges_AndUnsuspendRestoresIt()
    {
        var admin = await AdminAsync();
        var owner = await WorkspaceSteps.AddUserAsync(App);
        var ws = await WorkspaceSteps.CreateWorkspaceAsync(App, owner.Id);
        var ownerActor = Actor.User(owner.Id, owner.Email);

        var suspended = await Service<SuspendWorkspace>().SuspendAsync(admin, ws, "  Unpaid invoices  ", Cancel);

        Assert.Equal(WorkspaceStatus.Suspended, suspended.Value!.Status);
        var e = Assert.Single(await EventsAsync(AuditActions.AdminWorkspaceSuspended));
        Assert.Equal(ws, e.WorkspaceId);
        Assert.Equal(admin.UserId, e.ActorId);
        Assert.Equal("198.51.100.9", e.IpAddress);
        Assert.Equal("active", Changes(e).GetProperty("status").GetProperty("before").GetString());
        Assert.Equal("suspended", Changes(e).GetProperty("status").GetProperty("after").GetString());
        Assert.Equal("Unpaid invoices", Changes(e).GetProperty("suspensionReason").GetProperty("after").GetString());
        var page = await Service<AuditQueries>().ListAsync(owner.Id, ws, new AuditFilter(Action: "admin."), cancellationToken: Cancel);
        Assert.Equal(AuditActions.AdminWorkspaceSuspended, Assert.Single(page.Value!.Data).Action);

        await using (var scope = App.Services.CreateAsyncScope())
        {
            var update = await scope.ServiceProvider.GetRequiredService<UpdateWorkspace>()
                .ExecuteAsync(ownerActor, ws, new WorkspaceChange(Name: "Renamed"), Cancel);
            Assert.Equal(FailureCode.Forbidden, update.Failure!.Code);
            Assert.Contains("suspended", update.Failure.Message, StringComparison.Ordinal);
        }

        Assert.Equal(FailureCode.Conflict, (await Service<SuspendWorkspace>().SuspendAsync(admin, ws, "again", Cancel)).Failure!.Code);
        Assert.Single(await EventsAsync(AuditActions.AdminWorkspaceSuspended));

        var active = await Service<SuspendWorkspace>().UnsuspendAsync(admin, ws, Cancel);
        Assert.Equal(WorkspaceStatus.Active, active.Value!.Status);
        var lifted = Assert.Single(await EventsAsync(AuditActions.AdminWorkspaceUnsuspended));
        Assert.Equal("suspended", Changes(lifted).GetProperty("status").GetProperty("before").GetString());
        Assert.Equal("active", Changes(lifted).GetProperty("status").GetProperty("after").GetString());
        Assert.Equal("Unpaid invoices", Changes(lifted).GetProperty("suspensionReason").GetProperty("before").GetString());
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var update = await scope.ServiceProvider.GetRequiredService<UpdateWorkspace>()
                .ExecuteAsync(ownerActor, ws, new WorkspaceChange(Name: "Renamed"), Cancel);
            Assert.True(update.Succeeded, update.Failure?.Message);
        }
    }

    [Fact]
    public async Task Suspensions_AreRefused_ToNonAdmins_WithoutAReason_AndForOneself()
    {
        var admin = await AdminAsync();
        var someone = await WorkspaceSteps.AddUserAsync(App);
        var ws = await WorkspaceSteps.CreateWorkspaceAsync(App, someone.Id);
        var notAdmin = Actor.User(someone.Id, someone.Email);

        Assert.Equal(FailureCode.Forbidden, (await Service<SuspendWorkspace>().SuspendAsync(notAdmin, ws, "because", Cancel)).Failure!.Code);
        Assert.Equal(FailureCode.Forbidden, (await Service<SuspendUser>().SuspendAsync(notAdmin, admin.UserId!, "because", Cancel)).Failure!.Code);
        Assert.Equal("reason", (await Service<SuspendWorkspace>().SuspendAsync(admin, ws, "  ", Cancel)).Failure!.Field);
        Assert.Equal("reason", (await Service<SuspendUser>().SuspendAsync(admin, someone.Id, new string('x', 501), Cancel)).Failure!.Field);
        var self = await Service<SuspendUser>().SuspendAsync(admin, admin.UserId!, "oops", Cancel);
        Assert.Equal(FailureCode.Forbidden, self.Failure!.Code);
        Assert.Contains("your own account", self.Failure.Message, StringComparison.Ordinal);
        await using var db = App.CreateDbContext();
        Assert.False(await db.Set<AuditEvent>().AnyAsync(e => e.Action.StartsWith("admin."), Cancel));
    }

    [Fact]
    public async Task SuspendUser_EndsTheirSession_RefusesSignIn_AndUnsuspendLetsThemBackIn()
    {
        var admin = await AdminAsync();
        using var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);
        var userId = await WorkspaceSteps.UserIdAsync(App, email);
        Assert.True(await AccountSteps.IsSignedInAsync(client));

        var suspended = await Service<SuspendUser>().SuspendAsync(admin, userId, "Abuse report 42", Cancel);

        Assert.NotNull(suspended.Value!.SuspendedAt);
        Assert.False(await AccountSteps.IsSignedInAsync(client));
        var refused = await AccountSteps.SignInAsync(client, email);
        Assert.Contains("This account is suspended", refused.TestId("status-message"), StringComparison.Ordinal);
        Assert.False(await AccountSteps.IsSignedInAsync(client));
        var wrongPassword = await AccountSteps.SignInAsync(client, email, "not the password at all");
        Assert.DoesNotContain("suspended", wrongPassword.TestId("status-message"), StringComparison.Ordinal);
        var e = Assert.Single(await EventsAsync(AuditActions.AdminUserSuspended));
        Assert.Null(e.WorkspaceId);
        Assert.Equal(userId, e.TargetId);
        Assert.False(Changes(e).GetProperty("suspended").GetProperty("before").GetBoolean());
        Assert.True(Changes(e).GetProperty("suspended").GetProperty("after").GetBoolean());
        Assert.Equal("Abuse report 42", Changes(e).GetProperty("suspensionReason").GetProperty("after").GetString());
        Assert.Contains((await EventsAsync(AuditActions.UserSignInFailed)), f => f.Changes!.Contains(SignInFailureReasons.Suspended, StringComparison.Ordinal));

        Assert.True((await Service<SuspendUser>().UnsuspendAsync(admin, userId, Cancel)).Succeeded);

        Assert.Single(await EventsAsync(AuditActions.AdminUserUnsuspended));
        Assert.Equal("/", (await AccountSteps.SignInAsync(client, email)).Url.AbsolutePath);
        Assert.True(await AccountSteps.IsSignedInAsync(client));
        var activity = await client.GetAsync("/Account/Manage/SecurityActivity");
        Assert.Contains("Account suspended by an administrator", activity.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdminLists_SearchAndFilter_OnTheServer()
    {
        await AdminAsync();
        var owner = await WorkspaceSteps.AddUserAsync(App, "alice-owner@example.com");
        var acme = await WorkspaceSteps.CreateWorkspaceAsync(App, owner.Id, "Acme Rockets");
        await WorkspaceSteps.CreateWorkspaceAsync(App, owner.Id, "Globex");
        var queries = Service<AdminQueries>();

        var byName = await queries.ListWorkspacesAsync("rocket", null, cancellationToken: Cancel);
        var byId = await queries.ListWorkspacesAsync(acme, null, cancellationToken: Cancel);
        var all = await queries.ListWorkspacesAsync(null, WorkspaceStatus.Active, pageSize: 1, cancellationToken: Cancel);
        var users = await queries.ListUsersAsync("ALICE", cancellationToken: Cancel);
        var admins = await queries.ListUsersAsync("platform-admin", cancellationToken: Cancel);

        Assert.Equal(acme, Assert.Single(byName.Data).Id);
        Assert.Equal(1, Assert.Single(byName.Data).MembersCount);
        Assert.Equal(acme, Assert.Single(byId.Data).Id);
        Assert.Equal(2, all.Total);
        Assert.Single(all.Data);
        Assert.Equal(2, Assert.Single(users.Data).WorkspacesCount);
        Assert.True(Assert.Single(admins.Data).IsPlatformAdmin);
        Assert.False(users.Data[0].IsPlatformAdmin);
    }
}
