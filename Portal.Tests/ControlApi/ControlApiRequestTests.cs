using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Members;
using Portal.Core.Workspaces;
using Portal.Hosting;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

/// <summary>Input checking, idempotency and the rules the API enforces through the use cases.</summary>
public sealed class ControlApiRequestTests(TestServers servers) : PortalTest(servers)
{
    protected override Dictionary<string, string?> Settings => new()
    {
        ["ControlApi:MaxRequestBodyBytes"] = "2048",
        ["Kubernetes:Regions:us-east-1:Kubeconfig"] = "simulated",
    };

    private async Task<(TestUser User, HttpClient Client)> CallerAsync()
    {
        var user = await CreateUserAsync(App);
        return (user, Client(App, await SessionTokenAsync(App, user)));
    }

    private async Task<int> WorkspaceCountAsync()
    {
        await using var db = App.CreateDbContext();
        return await db.Set<Workspace>().CountAsync(TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData("{\"name\": \"Acme\", \"colour\": \"red\"}", "colour")]
    [InlineData("{\"name\": 42}", "name")]
    [InlineData("{\"name\": \"Acme\", \"slug\": [1]}", "slug")]
    public async Task UnknownOrMistypedField_Is400NamingIt_AndCreatesNothing(string json, string field)
    {
        var (_, client) = await CallerAsync();
        using (client)
        {
            var error = await ErrorAsync(await SendAsync(client, HttpMethod.Post, "/control/v1/workspaces", ControlApiSteps.Json(json)), 400, "invalid_request");
            Assert.Equal(field, (string?)error["details"]!["field"]);
            Assert.DoesNotContain("System.", (string?)error["message"], StringComparison.Ordinal);
        }

        Assert.Equal(0, await WorkspaceCountAsync());
    }

    [Theory]
    [InlineData("\\u0000")]
    [InlineData("\\u0007")]
    [InlineData("\\u001b[31m")]
    [InlineData("\\u007f")]
    [InlineData("\\u0085")]
    [InlineData("\\u009b")]
    [InlineData("\\ud800")]
    [InlineData("\\udc00x")]
    public async Task ControlCharacters_InAnyTextField_Are400NamingIt_NeverA500(string escaped)
    {
        var (user, client) = await CallerAsync();
        using var _ = client;
        var workspaceId = await CreateWorkspaceAsync(App, user);

        var created = await ErrorAsync(await SendAsync(client, HttpMethod.Post, "/control/v1/workspaces",
            ControlApiSteps.Json($"{{\"name\": \"Acme{escaped}\"}}")), 400, "invalid_request");
        Assert.Equal("name", (string?)created["details"]!["field"]);
        var renamed = await ErrorAsync(await SendAsync(client, HttpMethod.Patch, $"/control/v1/workspaces/{workspaceId}",
            ControlApiSteps.Json($"{{\"name\": \"Acme{escaped}\"}}")), 400, "invalid_request");
        Assert.Equal("name", (string?)renamed["details"]!["field"]);
        var metadata = await ErrorAsync(await SendAsync(client, HttpMethod.Patch, $"/control/v1/workspaces/{workspaceId}",
            ControlApiSteps.Json($"{{\"metadata\": {{\"team\": \"a{escaped}\"}}}}")), 400, "invalid_request");
        Assert.Equal("metadata.team", (string?)metadata["details"]!["field"]);
        var key = await ErrorAsync(await SendAsync(client, HttpMethod.Patch, $"/control/v1/workspaces/{workspaceId}",
            ControlApiSteps.Json($"{{\"metadata\": {{\"te{escaped}am\": \"a\"}}}}")), 400, "invalid_request");
        Assert.StartsWith("metadata", (string?)key["details"]!["field"], StringComparison.Ordinal);
        var configuration = await ErrorAsync(await SendAsync(client, HttpMethod.Post, $"/control/v1/workspaces/{workspaceId}/applications",
            ControlApiSteps.Json($"{{\"name\": \"App\", \"environment\": \"staging\", \"region\": \"us-east-1\", \"configuration\": {{\"branding\": {{\"name\": \"x{escaped}\"}}}}}}")),
            400, "invalid_request");
        Assert.StartsWith("configuration", (string?)configuration["details"]!["field"], StringComparison.Ordinal);

        Assert.Equal(1, await WorkspaceCountAsync());
        await using var db = App.CreateDbContext();
        Assert.Equal($"Workspace", (await db.Set<Workspace>().SingleAsync(TestContext.Current.CancellationToken)).Name[..9]);
    }

    [Fact]
    public async Task TabsAndNewlines_AreNotControlCharacters_InMultiLineFields_ButAreInNames()
    {
        var (user, client) = await CallerAsync();
        using var _ = client;
        var workspaceId = await CreateWorkspaceAsync(App, user);

        var name = await ErrorAsync(await SendAsync(client, HttpMethod.Patch, $"/control/v1/workspaces/{workspaceId}",
            ControlApiSteps.Json("{\"name\": \"Two\\nlines\"}")), 400, "invalid_request");
        Assert.Equal("name", (string?)name["details"]!["field"]);
        var ok = await SendAsync(client, HttpMethod.Patch, $"/control/v1/workspaces/{workspaceId}",
            ControlApiSteps.Json("{\"metadata\": {\"notes\": \"line one\\nline two\\tand a tab\"}, \"name\": \"Caf\u00e9 \u6771\u4eac \ud83d\ude80\"}"));
        Assert.True(ok.IsSuccessStatusCode, await ok.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task MalformedJson_MissingBody_BadEnum_AndOversizedBody_AreRefusedInTheEnvelope()
    {
        var (user, client) = await CallerAsync();
        using var _ = client;
        var workspaceId = await CreateWorkspaceAsync(App, user);

        await ErrorAsync(await SendAsync(client, HttpMethod.Post, "/control/v1/workspaces", ControlApiSteps.Json("{\"name\": ")), 400, "invalid_request");
        await ErrorAsync(await SendAsync(client, HttpMethod.Post, "/control/v1/workspaces", null), 400, "invalid_request");
        var role = await ErrorAsync(await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/members", new { email = "a@example.com", role = "emperor" }), 400, "invalid_request");
        Assert.Equal("role", (string?)role["details"]!["field"]);
        var nested = await ErrorAsync(await PatchAsync(client, $"/control/v1/workspaces/{workspaceId}", new { metadata = new { team = 5 } }), 400, "invalid_request");
        Assert.Equal("metadata.team", (string?)nested["details"]!["field"]);

        var big = await ErrorAsync(await PostAsync(client, "/control/v1/workspaces", new { name = new string('a', 5000) }), 413, "invalid_request");
        Assert.Equal(2048, (int)big["details"]!["maxBytes"]!);
        Assert.Equal(1, await WorkspaceCountAsync());
    }

    [Fact]
    public async Task UnknownRoutes_Methods_Workspaces_AndPages_AnswerInTheEnvelope()
    {
        var (_, client) = await CallerAsync();
        using var _ = client;

        await ErrorAsync(await GetAsync(client, "/control/v1/nothing-here"), 404, "not_found");
        await ErrorAsync(await GetAsync(client, "/control/v1/workspaces/ws_doesnotexist"), 404, "not_found");
        await ErrorAsync(await SendAsync(client, HttpMethod.Put, "/control/v1/workspaces", ControlApiSteps.Json("{}")), 405, "invalid_request");
        var page = await ErrorAsync(await GetAsync(client, "/control/v1/workspaces?page=0"), 400, "invalid_request");
        Assert.Equal("page", (string?)page["details"]!["field"]);
        var size = await ErrorAsync(await GetAsync(client, "/control/v1/workspaces?pageSize=101"), 400, "invalid_request");
        Assert.Equal("pageSize", (string?)size["details"]!["field"]);
        var mistyped = await ErrorAsync(await GetAsync(client, "/control/v1/workspaces?page=abc"), 400, "invalid_request");
        Assert.Equal("page", (string?)mistyped["details"]!["field"]);
    }

    [Fact]
    public async Task UseCaseRefusals_MapToTheirStatus_WithTheField()
    {
        var (_, client) = await CallerAsync();
        using var _ = client;

        var invalid = await ErrorAsync(await PostAsync(client, "/control/v1/workspaces", new { name = "Acme", slug = "Not A Slug" }), 400, "invalid_request");
        Assert.Equal("slug", (string?)invalid["details"]!["field"]);
        Assert.Equal(201, (int)(await PostAsync(client, "/control/v1/workspaces", new { name = "Acme", slug = "acme-one" })).StatusCode);
        var taken = await ErrorAsync(await PostAsync(client, "/control/v1/workspaces", new { name = "Acme", slug = "acme-one" }), 409, "conflict");
        Assert.Equal("slug", (string?)taken["details"]!["field"]);
    }

    [Fact]
    public async Task LastOwner_CannotBeDemotedOrLeave_ButCanTransferOwnership()
    {
        var (owner, client) = await CallerAsync();
        using var _ = client;
        var workspaceId = await CreateWorkspaceAsync(App, owner);
        var members = await BodyAsync(await GetAsync(client, $"/control/v1/workspaces/{workspaceId}/members"));
        var ownerMemberId = (string)members["data"]![0]!["id"]!;
        var other = await CreateUserAsync(App);
        var otherMemberId = await AddMemberAsync(App, workspaceId, other, WorkspaceRole.Developer);

        var demote = await ErrorAsync(await PatchAsync(client, $"/control/v1/workspaces/{workspaceId}/members/{ownerMemberId}", new { role = "admin" }), 409, "conflict");
        Assert.Equal("role", (string?)demote["details"]!["field"]);
        await ErrorAsync(await DeleteAsync(client, $"/control/v1/workspaces/{workspaceId}/members/{ownerMemberId}"), 409, "conflict");

        var transferred = await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/transfer-ownership", new { memberId = otherMemberId });
        var body = await BodyAsync(transferred);
        Assert.Equal(200, (int)transferred.StatusCode);
        Assert.Equal("owner", (string?)body["role"]);
        Assert.Equal(other.Email, (string?)body["email"]);

        var after = await BodyAsync(await GetAsync(client, $"/control/v1/workspaces/{workspaceId}"));
        Assert.Equal("admin", (string?)after["role"]);
        // Now an admin: leaving is allowed.
        Assert.Equal(204, (int)(await DeleteAsync(client, $"/control/v1/workspaces/{workspaceId}/members/{ownerMemberId}")).StatusCode);
        await ErrorAsync(await GetAsync(client, $"/control/v1/workspaces/{workspaceId}"), 404, "not_found");
    }

    [Fact]
    public async Task Invite_AnswersTheInvitationRow_ThenConflictsForTheSameEmail_AndForAMember()
    {
        var (owner, client) = await CallerAsync();
        using var _ = client;
        var workspaceId = await CreateWorkspaceAsync(App, owner);

        var invited = await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/members", new { email = "new.person@example.com", role = "developer" });
        var row = await BodyAsync(invited);
        Assert.Equal(201, (int)invited.StatusCode);
        Assert.StartsWith("inv_", (string?)row["id"], StringComparison.Ordinal);
        Assert.Equal("invited", (string?)row["status"]);
        Assert.Equal("developer", (string?)row["role"]);
        Assert.EndsWith($"/members/{row["id"]}", invited.Headers.Location?.ToString(), StringComparison.Ordinal);

        await ErrorAsync(await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/members", new { email = "New.Person@example.com", role = "viewer" }), 409, "conflict");
        await ErrorAsync(await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/members", new { email = owner.Email, role = "viewer" }), 409, "conflict");

        var list = await BodyAsync(await GetAsync(client, $"/control/v1/workspaces/{workspaceId}/members?pageSize=1&page=2"));
        Assert.Equal(2, (int)list["total"]!);
        Assert.Equal((string?)row["id"], (string?)list["data"]![0]!["id"]);

        Assert.Equal(200, (int)(await PatchAsync(client, $"/control/v1/workspaces/{workspaceId}/members/{row["id"]}", new { role = "viewer" })).StatusCode);
        await ErrorAsync(await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/members/{list["data"]![0]!["id"]}x/resend", null), 404, "not_found");
    }

    [Fact]
    public async Task IdempotencyKey_ReplaysTheFirstResponse_AndRefusesAnotherBody()
    {
        var (user, client) = await CallerAsync();
        using var _ = client;

        var first = await PostAsync(client, "/control/v1/workspaces", new { name = "Once only" }, idempotencyKey: "key-1");
        var again = await PostAsync(client, "/control/v1/workspaces", new { name = "Once only" }, idempotencyKey: "key-1");

        Assert.Equal(201, (int)first.StatusCode);
        Assert.Equal(201, (int)again.StatusCode);
        Assert.Equal(first.Headers.Location, again.Headers.Location);
        Assert.Equal(await first.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), await again.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        Assert.Equal("true", again.Headers.GetValues("Idempotency-Replayed").Single());
        Assert.False(first.Headers.Contains("Idempotency-Replayed"));
        Assert.Equal(1, await WorkspaceCountAsync());

        var other = await ErrorAsync(await PostAsync(client, "/control/v1/workspaces", new { name = "Something else" }, idempotencyKey: "key-1"), 409, "conflict");
        Assert.Contains("different request", (string?)other["message"], StringComparison.Ordinal);
        Assert.Equal(201, (int)(await PostAsync(client, "/control/v1/workspaces", new { name = "Something else" }, idempotencyKey: "key-2")).StatusCode);

        // The key belongs to its user: someone else's identical request is their own.
        var someone = await CreateUserAsync(App);
        using var theirs = Client(App, await SessionTokenAsync(App, someone));
        var their = await PostAsync(theirs, "/control/v1/workspaces", new { name = "Once only", slug = "once-only-2" }, idempotencyKey: "key-1");
        Assert.Equal(201, (int)their.StatusCode);
        Assert.Equal(3, await WorkspaceCountAsync());

        // While the first request with a key runs, a second one waits its turn: 409.
        var redis = App.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var prefix = App.Services.GetRequiredService<PortalOptions>().RedisKeyPrefix;
        var keyHash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData("key-3"u8));
        var fingerprint = await PostAsync(client, "/control/v1/workspaces", new { name = "Slow" }, idempotencyKey: "key-3");
        Assert.Equal(201, (int)fingerprint.StatusCode);
        var stored = (string)(await redis.StringGetAsync($"{prefix}control-api:idempotency:{user.Id}:{keyHash}"))!;
        Assert.True(await redis.KeyTimeToLiveAsync($"{prefix}control-api:idempotency:{user.Id}:{keyHash}") > TimeSpan.FromHours(23));
        // Kept answers can carry a secret shown once (a new secret key): the body is encrypted, never plain text in Redis.
        Assert.DoesNotContain("Slow", stored, StringComparison.Ordinal);
        var pending = System.Text.Json.Nodes.JsonNode.Parse(stored)!;
        pending["Status"] = null;
        await redis.StringSetAsync($"{prefix}control-api:idempotency:{user.Id}:{keyHash}", pending.ToJsonString());
        var busy = await ErrorAsync(await PostAsync(client, "/control/v1/workspaces", new { name = "Slow" }, idempotencyKey: "key-3"), 409, "conflict");
        Assert.Contains("in progress", (string?)busy["message"], StringComparison.Ordinal);
    }

    private static (string? Before, string? After) Change(Portal.Core.Audit.AuditEvent e, string field)
    {
        var change = System.Text.Json.Nodes.JsonNode.Parse(e.Changes!)![field]!;
        return ((string?)change["before"], (string?)change["after"]);
    }

    [Fact]
    public async Task Audit_EachMutationLeavesExactlyOneEvent_WithBeforeAndAfter_ByTheToken()
    {
        var (owner, client) = await CallerAsync();
        using var _ = client;
        var other = await CreateUserAsync(App);

        var created = await BodyAsync(await PostAsync(client, "/control/v1/workspaces", new { name = "Audited", slug = "audited" }));
        var workspaceId = (string)created["id"]!;
        var otherMemberId = await AddMemberAsync(App, workspaceId, other, WorkspaceRole.Viewer);
        await PatchAsync(client, $"/control/v1/workspaces/{workspaceId}", new { name = "Audited twice", requireTwoFactor = false });
        var invitationId = (string)(await BodyAsync(await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/members", new { email = "audit@example.com", role = "viewer" })))["id"]!;
        await PatchAsync(client, $"/control/v1/workspaces/{workspaceId}/members/{invitationId}", new { role = "billing" });
        await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/members/{invitationId}/resend", null);
        await DeleteAsync(client, $"/control/v1/workspaces/{workspaceId}/members/{invitationId}");
        await PatchAsync(client, $"/control/v1/workspaces/{workspaceId}/members/{otherMemberId}", new { role = "developer" });
        await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/transfer-ownership", new { memberId = otherMemberId });

        await using var db = App.CreateDbContext();
        var events = await db.Set<Portal.Core.Audit.AuditEvent>().Where(e => e.WorkspaceId == workspaceId).OrderBy(e => e.Id).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(
            ["workspace.created", "workspace.updated", "invitation.created", "invitation.role_changed", "invitation.resent", "invitation.revoked",
                "member.role_changed", "workspace.ownership_transferred"],
            events.Select(e => e.Action));
        Assert.All(events, e =>
        {
            Assert.Equal("token", e.ActorType);
            Assert.StartsWith("tok_", e.ActorId, StringComparison.Ordinal);
            Assert.Equal(owner.Email, e.ActorName);
        });
        Assert.Equal(("Audited", "Audited twice"), Change(events[1], "name"));
        Assert.Null(System.Text.Json.Nodes.JsonNode.Parse(events[1].Changes!)!["requireTwoFactor"]);
        Assert.Equal(("viewer", "billing"), Change(events[3], "role"));
        Assert.Equal(("pending", "revoked"), Change(events[5], "status"));
        Assert.Equal(("viewer", "developer"), Change(events[6], "role"));
        Assert.Equal(("developer", "owner"), Change(events[7], "newOwnerPreviousRole"));

        // Deleting and restoring are the (new) owner's; one event each.
        using var newOwner = Client(App, await SessionTokenAsync(App, other));
        Assert.Equal(204, (int)(await DeleteAsync(newOwner, $"/control/v1/workspaces/{workspaceId}")).StatusCode);
        var restored = await PostAsync(newOwner, $"/control/v1/workspaces/{workspaceId}/restore", null);
        Assert.Equal("active", (string?)(await BodyAsync(restored))["status"]);
        var lastId = events[^1].Id;
        var last = await db.Set<Portal.Core.Audit.AuditEvent>().Where(e => e.WorkspaceId == workspaceId && e.Id > lastId).OrderBy(e => e.Id)
            .ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["workspace.deleted", "workspace.restored"], last.Select(e => e.Action));
        Assert.Equal(("active", "deleted"), Change(last[0], "status"));
        Assert.Equal(InvitationStatus.Revoked, await db.Set<Invitation>().Where(i => i.Id == invitationId).Select(i => i.Status).SingleAsync(TestContext.Current.CancellationToken));
    }
}
