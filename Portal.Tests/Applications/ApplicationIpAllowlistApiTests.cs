using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Proxy;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;
using Portal.Tests.Proxy;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.Applications;

/// <summary>
/// The IP allowlist over the control API: PATCH sets and clears it without rolling the instance, refuses bad input
/// naming the entry, is audited, and reaches a proxy replica within a second.
/// </summary>
public sealed class ApplicationIpAllowlistApiTests(TestServers servers) : PortalTest(servers)
{
    private const string InternalUrl = "http://authsome.authsome-app-allow.svc.cluster.local:8080";
    private const string Configuration = """{"logLevel": "info"}""";

    private static readonly string[] Submitted = ["203.0.113.0/24", " 2001:DB8::1 "];
    private static readonly string[] TenSlashEight = ["10.0.0.0/8"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed record Seeded(TestUser Owner, string WorkspaceId, string ApplicationId, string SecretKey);

    private async Task<Seeded> SeedAsync()
    {
        var owner = await CreateUserAsync(App);
        var workspaceId = await CreateWorkspaceAsync(App, owner);
        var application = new Application
        {
            WorkspaceId = workspaceId,
            Name = "Storefront",
            Slug = "storefront",
            Region = "eu-test-1",
            Status = ApplicationStatus.Active,
            Configuration = Configuration,
            InternalUrl = InternalUrl,
            CreatedAt = App.Clock.GetUtcNow(),
        };
        await using (var db = App.CreateDbContext())
        {
            db.Add(application);
            await db.SaveChangesAsync(Ct);
        }

        var key = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageApiKeys>()
            .CreateAsync(Actor.User(owner.Id, owner.Email), application.Id, "server", ApiKeyType.Secret, null, null, Ct));
        Assert.True(key.Succeeded, key.Failure?.Message);
        return new Seeded(owner, workspaceId, application.Id, key.Value.Value);
    }

    private async Task<HttpClient> ClientOfAsync(TestUser user) => Client(App, await SessionTokenAsync(App, user));

    private async Task<Application> ReloadAsync(string applicationId)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<Application>().AsNoTracking().SingleAsync(a => a.Id == applicationId, Ct);
    }

    private async Task<List<AuditEvent>> AuditAsync(string workspaceId)
    {
        await using var db = App.CreateDbContext();
        return await db.Set<AuditEvent>().AsNoTracking().Where(e => e.WorkspaceId == workspaceId).OrderBy(e => e.Id).ToListAsync(Ct);
    }

    private static List<string?> Strings(JsonNode? array) => array!.AsArray().Select(n => (string?)n).ToList();

    private static List<string> Ranges(ProxyApplication application) => application.IpAllowlist.Select(n => n.ToString()).ToList();

    /// <summary>Verifies until the replica's application has <paramref name="expected"/>; returns how long that took.</summary>
    private static async Task<TimeSpan> UntilAsync(ProxyReplica replica, Seeded seeded, IReadOnlyList<string> expected)
    {
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var verified = await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.ApplicationId, Ct);
            Assert.True(verified.Succeeded, verified.Refusal.ToString());
            if (Ranges(verified.Application!).SequenceEqual(expected))
            {
                return watch.Elapsed;
            }

            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(10), $"the replica still has [{string.Join(", ", Ranges(verified.Application!))}] after 10 s");
            await Task.Delay(5, Ct);
        }
    }

    [Fact]
    public async Task Patch_SetsAndClearsTheAllowlist_WithoutARoll_Audited_AndAProxyReplicaSeesItWithinOneSecond()
    {
        var seeded = await SeedAsync();
        using var client = await ClientOfAsync(seeded.Owner);
        var url = $"/control/v1/applications/{seeded.ApplicationId}";
        await using var replica = await ProxyReplica.OfAsync(App);
        await replica.Verifier.Listening.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var before = await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.ApplicationId, Ct);
        Assert.True(before.Succeeded, before.Refusal.ToString());
        Assert.Empty(before.Application!.IpAllowlist);
        Assert.Empty(Strings((await BodyAsync(await GetAsync(client, url)))["ipAllowlist"]));

        var patched = await PatchAsync(client, url, new { ipAllowlist = Submitted });

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        var body = await BodyAsync(patched);
        string[] expected = ["203.0.113.0/24", "2001:db8::1/128"];
        Assert.Equal(expected, Strings(body["ipAllowlist"]));
        Assert.Equal("active", (string?)body["status"]);
        var took = await UntilAsync(replica, seeded, expected);
        Assert.True(took < TimeSpan.FromSeconds(1), $"the replica saw the allowlist after {took.TotalMilliseconds} ms");
        var cached = (await replica.Verifier.VerifyAsync(seeded.SecretKey, seeded.ApplicationId, Ct)).Application!;
        Assert.True(cached.Allows(IPAddress.Parse("203.0.113.200")));
        Assert.True(cached.Allows(IPAddress.Parse("::ffff:203.0.113.9")));
        Assert.True(cached.Allows(IPAddress.Parse("2001:db8::1")));
        Assert.False(cached.Allows(IPAddress.Parse("198.51.100.1")));
        Assert.False(cached.Allows(IPAddress.Parse("2001:db8::2")));

        // Read back by GET and the list; a proxy setting: no roll, the configuration untouched.
        Assert.Equal(expected, Strings((await BodyAsync(await GetAsync(client, url)))["ipAllowlist"]));
        var listed = await BodyAsync(await GetAsync(client, $"/control/v1/workspaces/{seeded.WorkspaceId}/applications"));
        Assert.Equal(expected, Strings(listed["data"]![0]!["ipAllowlist"]));
        var stored = await ReloadAsync(seeded.ApplicationId);
        Assert.Equal((ApplicationStatus.Active, Configuration), (stored.Status, stored.Configuration));
        Assert.Equal(expected, stored.IpAllowlist.Select(n => n.ToString()));
        var audited = Assert.Single(await AuditAsync(seeded.WorkspaceId), e => e.Action == "application.updated");
        var changes = JsonNode.Parse(audited.Changes!)!.AsObject();
        Assert.Equal(["ipAllowlist"], changes.Select(p => p.Key));
        Assert.Empty(Strings(changes["ipAllowlist"]!["before"]));
        Assert.Equal(expected, Strings(changes["ipAllowlist"]!["after"]));

        // Absent or null: unchanged (and the same list again records nothing).
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync(client, url, new { name = "Renamed" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await SendAsync(client, HttpMethod.Patch, url, ControlApiSteps.Json("""{"ipAllowlist":null}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync(client, url, new { ipAllowlist = expected })).StatusCode);
        Assert.Equal(expected, (await ReloadAsync(seeded.ApplicationId)).IpAllowlist.Select(n => n.ToString()));
        Assert.Equal(2, (await AuditAsync(seeded.WorkspaceId)).Count(e => e.Action == "application.updated"));

        // [] clears it: every address again.
        var cleared = await PatchAsync(client, url, new { ipAllowlist = Array.Empty<string>() });
        Assert.Equal(HttpStatusCode.OK, cleared.StatusCode);
        Assert.Empty(Strings((await BodyAsync(cleared))["ipAllowlist"]));
        took = await UntilAsync(replica, seeded, []);
        Assert.True(took < TimeSpan.FromSeconds(1), $"the replica saw the cleared allowlist after {took.TotalMilliseconds} ms");
        Assert.Empty((await ReloadAsync(seeded.ApplicationId)).IpAllowlist);
        var clearedEvent = (await AuditAsync(seeded.WorkspaceId)).Last(e => e.Action == "application.updated");
        Assert.Equal(expected, Strings(JsonNode.Parse(clearedEvent.Changes!)!["ipAllowlist"]!["before"]));
        Assert.Empty(Strings(JsonNode.Parse(clearedEvent.Changes!)!["ipAllowlist"]!["after"]));
    }

    [Fact]
    public async Task BadInput_Is400NamingTheEntry_AndChangesNothing()
    {
        var seeded = await SeedAsync();
        using var client = await ClientOfAsync(seeded.Owner);
        var url = $"/control/v1/applications/{seeded.ApplicationId}";
        Assert.Equal(HttpStatusCode.OK, (await PatchAsync(client, url, new { ipAllowlist = TenSlashEight })).StatusCode);
        var events = (await AuditAsync(seeded.WorkspaceId)).Count;

        var cases = new (string Body, string Field)[]
        {
            ("""{"ipAllowlist":["192.168.0.0/16","not-an-address"]}""", "ipAllowlist[1]"),
            ("""{"name":"Renamed","ipAllowlist":["10.1.2.3/8"]}""", "ipAllowlist[0]"),
            ("""{"ipAllowlist":["10.0.0.0/8","198.51.100.7","10.0.0.0/8"]}""", "ipAllowlist[2]"),
            ("""{"ipAllowlist":["10.0.0.0/8",null]}""", "ipAllowlist[1]"),
            ("""{"ipAllowlist":["2001:db8::/129"]}""", "ipAllowlist[0]"),
            ($$"""{"ipAllowlist":[{{string.Join(',', Enumerable.Range(0, 51).Select(i => $"\"10.{i}.0.0/16\""))}}]}""", "ipAllowlist"),
        };
        foreach (var (json, field) in cases)
        {
            var error = await ErrorAsync(await SendAsync(client, HttpMethod.Patch, url, ControlApiSteps.Json(json)), 400, "invalid_request");
            Assert.Equal(field, (string?)error["details"]!["field"]);
        }

        // Not an array of strings: refused by the strict JSON reading.
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(client, HttpMethod.Patch, url, ControlApiSteps.Json("""{"ipAllowlist":"10.0.0.0/8"}"""))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(client, HttpMethod.Patch, url, ControlApiSteps.Json("""{"ipAllowlist":[167772160]}"""))).StatusCode);

        var stored = await ReloadAsync(seeded.ApplicationId);
        Assert.Equal(("Storefront", ApplicationStatus.Active), (stored.Name, stored.Status));
        Assert.Equal(["10.0.0.0/8"], stored.IpAllowlist.Select(n => n.ToString()));
        Assert.Equal(events, (await AuditAsync(seeded.WorkspaceId)).Count);
    }

    [Fact]
    public async Task AViewer_Gets403_AndAMemberOfAnotherWorkspace_404_AndNothingChanges()
    {
        var seeded = await SeedAsync();
        var viewer = await CreateUserAsync(App);
        await AddMemberAsync(App, seeded.WorkspaceId, viewer, WorkspaceRole.Viewer);
        var stranger = await CreateUserAsync(App);
        await CreateWorkspaceAsync(App, stranger);
        using var viewerClient = await ClientOfAsync(viewer);
        using var strangerClient = await ClientOfAsync(stranger);
        var url = $"/control/v1/applications/{seeded.ApplicationId}";
        var body = new { ipAllowlist = TenSlashEight };

        await ErrorAsync(await PatchAsync(viewerClient, url, body), 403, "forbidden");
        await ErrorAsync(await PatchAsync(strangerClient, url, body), 404, "not_found");

        // The viewer reads it; the stranger does not.
        Assert.Empty(Strings((await BodyAsync(await GetAsync(viewerClient, url)))["ipAllowlist"]));
        await ErrorAsync(await GetAsync(strangerClient, url), 404, "not_found");
        Assert.Empty((await ReloadAsync(seeded.ApplicationId)).IpAllowlist);
        Assert.DoesNotContain(await AuditAsync(seeded.WorkspaceId), e => e.Action == "application.updated");
    }
}
