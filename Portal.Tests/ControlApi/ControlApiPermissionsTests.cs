using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Webhooks;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

/// <summary>Every workspace-scoped endpoint (applications and keys included), for every role, against the permission table; and a stranger always gets 404.</summary>
public sealed class ControlApiPermissionsTests(TestServers servers) : PortalTest(servers)
{
    /// <summary>A fresh workspace per case: its id, a viewer member other than the caller, and a pending invitation.</summary>
    private sealed record Fixture(string WorkspaceId, string OtherMemberId, string InvitationId, string ApplicationId, string KeyId, string WebhookId, string DeliveryId);

    private sealed record Case(string Name, WorkspacePermission Permission, Func<HttpClient, Fixture, Task<HttpResponseMessage>> Call, bool Mutates = true);

    private static readonly Case[] Cases =
    [
        new("GET workspace", WorkspacePermission.View, (c, f) => GetAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}"), Mutates: false),
        new("PATCH workspace", WorkspacePermission.ManageSettings, (c, f) => PatchAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}", new { name = "Renamed" })),
        new("DELETE workspace", WorkspacePermission.Own, (c, f) => DeleteAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}")),
        new("POST restore", WorkspacePermission.Own, (c, f) => PostAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/restore", null)),
        new("POST transfer-ownership", WorkspacePermission.Own,
            (c, f) => PostAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/transfer-ownership", new { memberId = f.OtherMemberId })),
        new("POST members", WorkspacePermission.ManageMembers,
            (c, f) => PostAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/members", new { email = AccountSteps.NewEmail("new"), role = "viewer" })),
        new("GET members", WorkspacePermission.View, (c, f) => GetAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/members"), Mutates: false),
        new("PATCH member", WorkspacePermission.ManageMembers,
            (c, f) => PatchAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/members/{f.OtherMemberId}", new { role = "developer" })),
        new("PATCH invitation", WorkspacePermission.ManageMembers,
            (c, f) => PatchAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/members/{f.InvitationId}", new { role = "developer" })),
        new("DELETE member", WorkspacePermission.ManageMembers, (c, f) => DeleteAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/members/{f.OtherMemberId}")),
        new("DELETE invitation", WorkspacePermission.ManageMembers, (c, f) => DeleteAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/members/{f.InvitationId}")),
        new("POST resend", WorkspacePermission.ManageMembers, (c, f) => PostAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/members/{f.InvitationId}/resend", null)),
        new("POST applications", WorkspacePermission.ManageApplications,
            (c, f) => PostAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/applications", new { name = "Second", environment = "staging", region = "us-east-1" })),
        new("GET applications", WorkspacePermission.View, (c, f) => GetAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/applications"), Mutates: false),
        new("GET application", WorkspacePermission.View, (c, f) => GetAsync(c, $"/control/v1/applications/{f.ApplicationId}"), Mutates: false),
        new("PATCH application", WorkspacePermission.ManageApplications, (c, f) => PatchAsync(c, $"/control/v1/applications/{f.ApplicationId}", new { name = "Renamed" })),
        new("PATCH application ipAllowlist", WorkspacePermission.ManageApplications,
            (c, f) => PatchAsync(c, $"/control/v1/applications/{f.ApplicationId}", new { ipAllowlist = new[] { "203.0.113.0/24" } })),
        new("DELETE application", WorkspacePermission.ManageApplications, (c, f) => DeleteAsync(c, $"/control/v1/applications/{f.ApplicationId}")),
        new("POST application restore", WorkspacePermission.ManageApplications, (c, f) => PostAsync(c, $"/control/v1/applications/{f.ApplicationId}/restore", null)),
        new("POST restart", WorkspacePermission.ManageApplications, (c, f) => PostAsync(c, $"/control/v1/applications/{f.ApplicationId}/restart", null)),
        new("POST retry-provisioning", WorkspacePermission.ManageApplications, (c, f) => PostAsync(c, $"/control/v1/applications/{f.ApplicationId}/retry-provisioning", null)),
        new("GET keys", WorkspacePermission.View, (c, f) => GetAsync(c, $"/control/v1/applications/{f.ApplicationId}/keys"), Mutates: false),
        new("POST keys", WorkspacePermission.ManageApplications,
            (c, f) => PostAsync(c, $"/control/v1/applications/{f.ApplicationId}/keys", new { name = "ci", type = "secret", scopes = new[] { "users:read" } })),
        new("DELETE key", WorkspacePermission.ManageApplications, (c, f) => DeleteAsync(c, $"/control/v1/applications/{f.ApplicationId}/keys/{f.KeyId}")),
        new("POST rotate key", WorkspacePermission.ManageApplications, (c, f) => PostAsync(c, $"/control/v1/applications/{f.ApplicationId}/keys/{f.KeyId}/rotate", null)),
        new("POST webhooks", WorkspacePermission.ManageApplications,
            (c, f) => PostAsync(c, $"/control/v1/applications/{f.ApplicationId}/webhooks", new { url = "https://hooks.example.com/authsome", events = new[] { "key.created" } })),
        new("GET webhooks", WorkspacePermission.View, (c, f) => GetAsync(c, $"/control/v1/applications/{f.ApplicationId}/webhooks"), Mutates: false),
        new("GET webhook", WorkspacePermission.View, (c, f) => GetAsync(c, $"/control/v1/applications/{f.ApplicationId}/webhooks/{f.WebhookId}"), Mutates: false),
        new("PATCH webhook", WorkspacePermission.ManageApplications,
            (c, f) => PatchAsync(c, $"/control/v1/applications/{f.ApplicationId}/webhooks/{f.WebhookId}", new { enabled = false })),
        new("DELETE webhook", WorkspacePermission.ManageApplications, (c, f) => DeleteAsync(c, $"/control/v1/applications/{f.ApplicationId}/webhooks/{f.WebhookId}")),
        new("POST rotate webhook secret", WorkspacePermission.ManageApplications,
            (c, f) => PostAsync(c, $"/control/v1/applications/{f.ApplicationId}/webhooks/{f.WebhookId}/rotate-secret", null)),
        new("GET webhook deliveries", WorkspacePermission.View,
            (c, f) => GetAsync(c, $"/control/v1/applications/{f.ApplicationId}/webhooks/{f.WebhookId}/deliveries"), Mutates: false),
        new("POST redeliver", WorkspacePermission.ManageApplications,
            (c, f) => PostAsync(c, $"/control/v1/applications/{f.ApplicationId}/webhooks/{f.WebhookId}/deliveries/{f.DeliveryId}/redeliver", null)),
        new("POST webhook test", WorkspacePermission.ManageApplications,
            (c, f) => PostAsync(c, $"/control/v1/applications/{f.ApplicationId}/webhooks/{f.WebhookId}/test", null)),
        new("GET metrics", WorkspacePermission.View, (c, f) => GetAsync(c, $"/control/v1/applications/{f.ApplicationId}/metrics?period=1h"), Mutates: false),
        new("GET usage", WorkspacePermission.View, (c, f) => GetAsync(c, $"/control/v1/workspaces/{f.WorkspaceId}/usage"), Mutates: false),
        new("GET logs", WorkspacePermission.View, (c, f) => GetAsync(c, $"/control/v1/applications/{f.ApplicationId}/logs?tail=5"), Mutates: false),
    ];

    protected override Dictionary<string, string?> Settings => new()
    {
        ["Kubernetes:Regions:us-east-1:Kubeconfig"] = "simulated",
        // The webhook URL of the table is not resolved (this machine has no outside DNS); SSRF has tests of its own.
        ["Webhooks:AllowPrivateDestinations"] = "true",
    };

    [Fact]
    public async Task EveryEndpoint_EveryRole_FollowsThePermissionTable_AndStrangersGet404()
    {
        var owner = await CreateUserAsync(App);
        var other = await CreateUserAsync(App);
        var stranger = await CreateUserAsync(App);
        await CreateWorkspaceAsync(App, stranger);
        var actors = new Dictionary<WorkspaceRole, TestUser> { [WorkspaceRole.Owner] = owner };
        foreach (var role in new[] { WorkspaceRole.Admin, WorkspaceRole.Developer, WorkspaceRole.Billing, WorkspaceRole.Viewer })
        {
            actors[role] = await CreateUserAsync(App);
        }

        var clients = new Dictionary<string, HttpClient>();
        foreach (var (role, user) in actors)
        {
            clients[role.ToString()] = Client(App, await SessionTokenAsync(App, user));
        }

        clients["stranger"] = Client(App, await SessionTokenAsync(App, stranger));
        var failures = new StringBuilder();
        var checkedCases = 0;
        try
        {
            foreach (var @case in Cases)
            {
                foreach (var (role, user) in actors)
                {
                    var fixture = await FixtureAsync(owner, other, role == WorkspaceRole.Owner ? null : (user, role), deleted: @case.Name == "POST restore",
                        applicationDeleted: @case.Name == "POST application restore");
                    var response = await @case.Call(clients[role.ToString()], fixture);
                    var allowed = WorkspacePermissions.Allows(role, @case.Permission);
                    var status = (int)response.StatusCode;
                    var ok = allowed ? status is >= 200 and < 300 : status == 403 && (await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).Contains("\"forbidden\"", StringComparison.Ordinal);
                    var events = await AuditCountAsync(fixture.WorkspaceId);
                    var expectedEvents = allowed && @case.Mutates ? 1 : 0;
                    if (!ok || events != expectedEvents)
                    {
                        failures.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{@case.Name} as {role}: expected {(allowed ? "2xx" : "403")} and {expectedEvents} audit event(s), got {status} and {events}: {await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)}");
                    }

                    checkedCases++;
                }

                var hidden = await FixtureAsync(owner, other, null, deleted: @case.Name == "POST restore", applicationDeleted: @case.Name == "POST application restore");
                var strangerResponse = await @case.Call(clients["stranger"], hidden);
                var body = await strangerResponse.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                if ((int)strangerResponse.StatusCode != 404 || !body.Contains("\"not_found\"", StringComparison.Ordinal) || await AuditCountAsync(hidden.WorkspaceId) != 0)
                {
                    failures.AppendLine(System.Globalization.CultureInfo.InvariantCulture, $"{@case.Name} as a stranger: expected 404 not_found and nothing changed, got {(int)strangerResponse.StatusCode}: {body}");
                }

                checkedCases++;
            }

            var list = await BodyAsync(await GetAsync(clients["stranger"], "/control/v1/workspaces"));
            Assert.Equal(1, (int)list["total"]!);
        }
        finally
        {
            foreach (var client in clients.Values)
            {
                client.Dispose();
            }
        }

        Assert.True(failures.Length == 0, failures.ToString());
        Assert.Equal(Cases.Length * 6, checkedCases);
    }

    private async Task<Fixture> FixtureAsync(TestUser owner, TestUser other, (TestUser User, WorkspaceRole Role)? actor, bool deleted, bool applicationDeleted = false)
    {
        var workspaceId = await CreateWorkspaceAsync(App, owner);
        if (actor is { } a)
        {
            await AddMemberAsync(App, workspaceId, a.User, a.Role);
        }

        var otherMemberId = await AddMemberAsync(App, workspaceId, other, WorkspaceRole.Viewer);
        var invitationId = await AddInvitationAsync(App, workspaceId);
        if (deleted)
        {
            await using var db = App.CreateDbContext();
            await db.Set<Workspace>().Where(w => w.Id == workspaceId).ExecuteUpdateAsync(
                set => set.SetProperty(w => w.Status, WorkspaceStatus.Deleted).SetProperty(w => w.DeletedAt, App.Clock.GetUtcNow()),
                TestContext.Current.CancellationToken);
        }

        // An application with a secret key, written directly so that the set-up leaves no audit event.
        // Failed after having been active (it has an internal URL), so that "retry provisioning" has something to
        // retry and "restart" something to repair; deleting, for "restore".
        var application = new Application
        {
            WorkspaceId = workspaceId,
            Name = "First",
            Slug = "first",
            Region = "us-east-1",
            Status = applicationDeleted ? ApplicationStatus.Deleting : ApplicationStatus.Failed,
            InternalUrl = "http://authsome.authsome-app-first.svc.cluster.local:8080",
            DeletedAt = applicationDeleted ? App.Clock.GetUtcNow() : null,
            CreatedAt = App.Clock.GetUtcNow(),
        };
        var value = ApiKeyFormat.New(ApiKeyType.Secret, application.Environment);
        var key = new ApiKey
        {
            ApplicationId = application.Id,
            Name = "server",
            Type = ApiKeyType.Secret,
            DisplayPrefix = ApiKeyFormat.Display(value),
            Hash = ApiKeyFormat.Hash(value),
            Scopes = ["*"],
            CreatedAt = App.Clock.GetUtcNow(),
        };
        var webhook = new WebhookEndpoint
        {
            ApplicationId = application.Id,
            Url = "https://hooks.example.com/first",
            Events = [PlatformEventTypes.KeyCreated],
            ProtectedSecret = App.Services.GetRequiredService<WebhookSecrets>().Protect(WebhookSecrets.New()),
            CreatedAt = App.Clock.GetUtcNow(),
        };
        var delivery = new WebhookDelivery
        {
            EndpointId = webhook.Id,
            EventId = "evt_fixture",
            EventType = PlatformEventTypes.KeyCreated,
            Payload = """{"id":"evt_fixture","event":"key.created","timestamp":"2026-01-01T00:00:00Z","data":{}}""",
            Status = WebhookDeliveryStatus.Failed,
            CreatedAt = App.Clock.GetUtcNow(),
        };
        await using (var db = App.CreateDbContext())
        {
            db.AddRange(application, key, webhook, delivery);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        return new Fixture(workspaceId, otherMemberId, invitationId, application.Id, key.Id, webhook.Id, delivery.Id);
    }

    private async Task<int> AuditCountAsync(string workspaceId)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<AuditEvent>().CountAsync(e => e.WorkspaceId == workspaceId, TestContext.Current.CancellationToken);
    }
}
