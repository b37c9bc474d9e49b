using System.Net;
using System.Text;
using System.Text.Json;
using Npgsql;
using Portal.Core.Audit;
using Portal.Core.Members;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Audit;

public sealed class AuditExportTests(TestServers servers) : PortalTest(servers)
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>A signed-in owner of a new workspace.</summary>
    private async Task<(PortalClient Client, string UserId, string WorkspaceId)> SignedInOwnerAsync()
    {
        var client = App.CreatePortalClient();
        var email = await AccountSteps.RegisterAndSignInAsync(App, client);
        var userId = await WorkspaceSteps.UserIdAsync(App, email);
        return (client, userId, await WorkspaceSteps.CreateWorkspaceAsync(App, userId));
    }

    private async Task SeedAsync(string workspaceId, int count)
    {
        await using var connection = new NpgsqlConnection(App.DatabaseConnectionString);
        await connection.OpenAsync(Cancel);
        await using var command = new NpgsqlCommand("""
            INSERT INTO "AuditEvents" ("OccurredAt", "WorkspaceId", "ActorType", "ActorId", "ActorName", "Action", "TargetType", "TargetId",
                                       "Changes", "IpAddress", "UserAgent", "RequestId")
            SELECT now() - make_interval(secs => g), @workspace, 'user', 'usr_seed' || (g % 7), 'member' || g || '@example.com',
                   'member.role_changed', 'member', 'mem_' || g, '{"role": {"before": "viewer", "after": "developer"}}'::jsonb, '203.0.113.7',
                   'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36', 'req-' || g
            FROM generate_series(1, @count) AS g
            """, connection);
        command.Parameters.AddWithValue("workspace", workspaceId);
        command.Parameters.AddWithValue("count", count);
        await command.ExecuteNonQueryAsync(Cancel);
    }

    private async Task AddEventAsync(string workspaceId, string? actorName, string? userAgent, string action = "member.joined")
    {
        await using var db = App.CreateDbContext();
        db.Add(new AuditEvent
        {
            OccurredAt = App.Clock.GetUtcNow(),
            WorkspaceId = workspaceId,
            ActorType = ActorTypes.User,
            ActorId = "usr_x",
            ActorName = actorName,
            Action = action,
            TargetType = AuditTargets.Member,
            TargetId = "mem_x",
            UserAgent = userAgent,
            Changes = """{"role": {"before": null, "after": "viewer"}}""",
        });
        await db.SaveChangesAsync(Cancel);
    }

    [Fact]
    public async Task Export_Of100000Events_IsStreamed_NotBuffered()
    {
        var (client, _, ws) = await SignedInOwnerAsync();
        using var _ = client;
        await SeedAsync(ws, 100_000);
        var baseline = GC.GetTotalMemory(forceFullCollection: true);

        using var response = await client.Http.GetAsync(new Uri($"/workspaces/{ws}/activity/export.csv?action=member.role_changed", UriKind.Relative),
            HttpCompletionOption.ResponseHeadersRead, Cancel);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Null(response.Content.Headers.ContentLength);
        Assert.Equal("attachment", response.Content.Headers.ContentDisposition?.DispositionType);
        Assert.EndsWith(".csv", response.Content.Headers.ContentDisposition?.FileNameStar ?? response.Content.Headers.ContentDisposition?.FileName,
            StringComparison.Ordinal);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Cancel), Encoding.UTF8);
        var lines = 0;
        long halfwayGrowth = 0;
        while (await reader.ReadLineAsync(Cancel) is not null)
        {
            if (++lines == 50_000)
            {
                // Halfway through, the rows already sent are garbage and the rest are not read yet: what lives is a
                // few buffers. A server that loaded every row first (or buffered the body) would hold ~100 MB here.
                halfwayGrowth = GC.GetTotalMemory(forceFullCollection: true) - baseline;
            }
        }

        Assert.Equal(100_001, lines);
        Assert.True(halfwayGrowth < 30_000_000, $"Memory grew by {halfwayGrowth:N0} bytes halfway through the export.");
    }

    [Fact]
    public async Task JsonExport_IsAValidArray_OfEveryMatchingEvent()
    {
        var (client, _, ws) = await SignedInOwnerAsync();
        using var _ = client;
        await SeedAsync(ws, 1_234);

        using var all = await client.Http.GetAsync(new Uri($"/workspaces/{ws}/activity/export.json", UriKind.Relative), Cancel);
        using var members = await client.Http.GetAsync(new Uri($"/workspaces/{ws}/activity/export.json?action=workspace.", UriKind.Relative), Cancel);

        Assert.Equal("application/json", all.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(await all.Content.ReadAsStringAsync(Cancel));
        var items = document.RootElement.EnumerateArray().ToList();
        Assert.Equal(1_235, items.Count);
        Assert.Equal("workspace.created", items[^1].GetProperty("action").GetString());
        Assert.Equal("developer", items[0].GetProperty("changes").GetProperty("role").GetProperty("after").GetString());
        Assert.StartsWith("usr_seed", items[0].GetProperty("actor").GetProperty("id").GetString(), StringComparison.Ordinal);
        Assert.True(items.Zip(items.Skip(1)).All(pair => pair.First.GetProperty("id").GetInt64() > pair.Second.GetProperty("id").GetInt64()));
        using var filtered = JsonDocument.Parse(await members.Content.ReadAsStringAsync(Cancel));
        Assert.Equal("workspace.created", Assert.Single(filtered.RootElement.EnumerateArray()).GetProperty("action").GetString());
    }

    [Fact]
    public async Task CsvExport_EscapesCells_AndDefusesFormulas()
    {
        var (client, _, ws) = await SignedInOwnerAsync();
        using var _ = client;
        await AddEventAsync(ws, "=HYPERLINK(\"http://evil.example\",\"click\")", "+cmd|' /C calc'!A0");
        await AddEventAsync(ws, "-2+3", "@SUM(1,1)");
        await AddEventAsync(ws, "Smith, \"Jo\"\nline two", "plain agent");

        var csv = await client.Http.GetStringAsync(new Uri($"/workspaces/{ws}/activity/export.csv?action=member.joined", UriKind.Relative), Cancel);

        var rows = ParseCsv(csv);
        Assert.Equal(4, rows.Count);
        var header = rows[0];
        var name = header.IndexOf("actor_name");
        var agent = header.IndexOf("user_agent");
        Assert.Equal("Smith, \"Jo\"\nline two", rows[1][name]);
        Assert.Equal("'-2+3", rows[2][name]);
        Assert.Equal("'@SUM(1,1)", rows[2][agent]);
        Assert.Equal("'=HYPERLINK(\"http://evil.example\",\"click\")", rows[3][name]);
        Assert.Equal("'+cmd|' /C calc'!A0", rows[3][agent]);
        Assert.All(rows, row => Assert.Equal(header.Count, row.Count));
        Assert.Equal("""{"role": {"after": "viewer", "before": null}}""", rows[1][header.IndexOf("changes")]);
    }

    [Theory]
    [InlineData("from=yesterday", "from")]
    [InlineData("to=2026-13-01", "to")]
    [InlineData("from=2026-11-28T10:00:00", "from")]
    [InlineData("from=2026-11-28&to=2026-11-01", "to")]
    public async Task Export_WithBadDates_Is400_WithAClearMessage(string query, string field)
    {
        var (client, _, ws) = await SignedInOwnerAsync();
        using var _ = client;

        using var response = await client.Http.GetAsync(new Uri($"/workspaces/{ws}/activity/export.csv?{query}", UriKind.Relative), Cancel);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Cancel));
        var error = body.RootElement.GetProperty("error");
        Assert.Equal("invalid_request", error.GetProperty("code").GetString());
        Assert.Equal(field, error.GetProperty("field").GetString());
        Assert.Contains($"'{field}'", error.GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("to=9999-12-31")]
    [InlineData("from=0001-01-01")]
    [InlineData("from=0001-01-01&to=9999-12-31")]
    [InlineData("to=9999-12-31T23:59:59Z")]
    [InlineData("to=9999-12-31T23:59:59-14:00")]
    [InlineData("from=9999-12-31")]
    public async Task Export_WithTheFarthestDates_Answers_NeverA500(string query)
    {
        var (client, _, ws) = await SignedInOwnerAsync();
        using var _ = client;

        using var response = await client.Http.GetAsync(new Uri($"/workspaces/{ws}/activity/export.json?{query}", UriKind.Relative), Cancel);

        var body = await response.Content.ReadAsStringAsync(Cancel);
        Assert.True((int)response.StatusCode is 200 or 400, $"{(int)response.StatusCode}: {body}");
        if (response.StatusCode == HttpStatusCode.BadRequest)
        {
            Assert.Equal("invalid_request", JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
        }
    }

    [Fact]
    public async Task Export_DateRange_IsWholeUtcDays()
    {
        var (client, _, ws) = await SignedInOwnerAsync();
        using var _ = client;
        var today = App.Clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var tomorrow = App.Clock.GetUtcNow().UtcDateTime.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var sameDay = await client.Http.GetStringAsync(new Uri($"/workspaces/{ws}/activity/export.json?from={today}&to={today}", UriKind.Relative), Cancel);
        var later = await client.Http.GetStringAsync(new Uri($"/workspaces/{ws}/activity/export.json?from={tomorrow}", UriKind.Relative), Cancel);

        Assert.Single(JsonDocument.Parse(sameDay).RootElement.EnumerateArray());
        Assert.Empty(JsonDocument.Parse(later).RootElement.EnumerateArray());
    }

    [Theory]
    [InlineData("export.csv")]
    [InlineData("export.json")]
    [InlineData("")]
    public async Task ExportAndPage_AreRefused_ToAnonymousUsers_AndToMembersOfAnotherWorkspace(string path)
    {
        var (owner, _, ws) = await SignedInOwnerAsync();
        owner.Dispose();
        var url = new Uri($"/workspaces/{ws}/activity{(path.Length > 0 ? "/" + path : "")}", UriKind.Relative);
        using var anonymous = App.CreatePortalClient();
        var (stranger, _, _) = await SignedInOwnerAsync();
        using var _ = stranger;

        var anonymousPage = await anonymous.GetAsync(url.ToString());
        var strangerPage = await stranger.GetAsync(url.ToString());

        Assert.Equal("/Account/Login", anonymousPage.Url.AbsolutePath);
        Assert.True(strangerPage.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden
            || strangerPage.Url.AbsolutePath == "/Account/AccessDenied", $"{strangerPage.Response.StatusCode} {strangerPage.Url}");
        Assert.DoesNotContain("workspace.created", strangerPage.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Export_ForAViewer_Works()
    {
        var (owner, _, ws) = await SignedInOwnerAsync();
        owner.Dispose();
        using var viewer = App.CreatePortalClient();
        var viewerId = await WorkspaceSteps.UserIdAsync(App, await AccountSteps.RegisterAndSignInAsync(App, viewer));
        await using (var db = App.CreateDbContext())
        {
            db.Add(new Member { WorkspaceId = ws, UserId = viewerId, Role = WorkspaceRole.Viewer, JoinedAt = App.Clock.GetUtcNow() });
            await db.SaveChangesAsync(Cancel);
        }

        var csv = await viewer.Http.GetStringAsync(new Uri($"/workspaces/{ws}/activity/export.csv", UriKind.Relative), Cancel);

        Assert.Contains("workspace.created", csv, StringComparison.Ordinal);
    }

    /// <summary>RFC 4180: quoted cells may hold commas, doubled quotes and line breaks.</summary>
    private static List<List<string>> ParseCsv(string csv)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < csv.Length; i++)
        {
            var c = csv[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < csv.Length && csv[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\r' && i + 1 < csv.Length && csv[i + 1] == '\n')
            {
                row.Add(cell.ToString());
                cell.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                cell.Append(c);
            }
        }

        return rows;
    }
}
