using Portal.Core.Applications;
using Portal.Core.Usage;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;
using static Portal.Tests.Usage.UsageSeed;

namespace Portal.Tests.Usage;

/// <summary><c>GET /applications/{id}/metrics</c> and <c>GET /workspaces/{id}/usage</c>: shapes, values from seeded rows, 400s and tenant isolation.</summary>
public sealed class UsageApiTests(TestServers servers) : PortalTest(servers)
{
    private static readonly DateTimeOffset Now = new(2027, 3, 15, 10, 7, 30, TimeSpan.Zero);

    private async Task<(HttpClient Member, HttpClient Stranger, string WorkspaceId, Application Shop, Application Gone)> SeedAsync()
    {
        App.Clock.SetUtcNow(Now);
        var owner = await CreateUserAsync(App);
        var stranger = await CreateUserAsync(App);
        var viewer = await CreateUserAsync(App);
        var workspaceId = await CreateWorkspaceAsync(App, owner, WorkspacePlan.Pro);
        await AddMemberAsync(App, workspaceId, viewer, WorkspaceRole.Viewer);
        await CreateWorkspaceAsync(App, stranger);
        var shop = Application(workspaceId, "Shop", Now.AddDays(-20));
        var gone = Application(workspaceId, "Gone", Now.AddDays(-20), ApplicationStatus.Deleted);
        await AddAsync(App.DatabaseConnectionString, shop, gone,
            Minute(shop.Id, new DateTimeOffset(2027, 3, 15, 9, 31, 0, TimeSpan.Zero), ok: 8, e4: 1, e5: 1, bytesIn: 10, bytesOut: 90, latency: Latency((12, 10))),
            UsageSeed.Day(shop.Id, new DateTimeOffset(2027, 3, 15, 0, 0, 0, TimeSpan.Zero), ok: 8, e4: 1, e5: 1, bytesIn: 10, bytesOut: 90),
            UsageSeed.Day(gone.Id, new DateTimeOffset(2027, 3, 2, 0, 0, 0, TimeSpan.Zero), ok: 4, bytesOut: 6),
            new UsageMonthlyActiveUsers { ApplicationId = shop.Id, Month = new DateOnly(2027, 3, 1), Users = 5 });
        return (Client(App, await SessionTokenAsync(App, viewer)), Client(App, await SessionTokenAsync(App, stranger)), workspaceId, shop, gone);
    }

    [Fact]
    public async Task Metrics_AnswerTheDocumentedShape_WithTheSeededValues()
    {
        var (member, stranger, _, shop, _) = await SeedAsync();
        using var _1 = member;
        using var _2 = stranger;

        var body = await BodyAsync(await GetAsync(member, $"/control/v1/applications/{shop.Id}/metrics?period=1h&interval=5m"));

        Assert.Equal(shop.Id, (string?)body["applicationId"]);
        Assert.Equal(("1h", "5m"), ((string?)body["period"], (string?)body["interval"]));
        Assert.Equal(new DateTimeOffset(2027, 3, 15, 9, 10, 0, TimeSpan.Zero), (DateTimeOffset)body["from"]!);
        Assert.Equal(new DateTimeOffset(2027, 3, 15, 10, 10, 0, TimeSpan.Zero), (DateTimeOffset)body["to"]!);
        var totals = body["totals"]!;
        Assert.Equal((10L, 1L, 1L, 0.2, 10L, 90L), ((long)totals["requests"]!, (long)totals["errors4xx"]!, (long)totals["errors5xx"]!, (double)totals["errorRate"]!,
            (long)totals["bytesIn"]!, (long)totals["bytesOut"]!));
        var p50 = Math.Round(LatencyHistogram.UpperBoundMicroseconds(12) / 1000, 3);
        Assert.Equal("""{"p50":P,"p95":P,"p99":P}""".Replace("P", p50.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal),
            totals["latencyMs"]!.ToJsonString());
        Assert.Equal("""{"month":"2027-03","count":5,"included":10000}""", body["activeUsers"]!.ToJsonString());
        var series = body["series"]!.AsArray();
        Assert.Equal(12, series.Count);
        Assert.Equal(
            ["timestamp", "requests", "errors4xx", "errors5xx", "errorRate", "latencyMs", "bytesIn", "bytesOut"],
            series[0]!.AsObject().Select(p => p.Key));
        // 09:31 is in the 09:30 point (the fifth); the others have no traffic: zeros, no latency.
        Assert.Equal(10L, (long)series[4]!["requests"]!);
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(
            System.Text.Json.Nodes.JsonNode.Parse("""{"timestamp":"2027-03-15T09:10:00+00:00","requests":0,"errors4xx":0,"errors5xx":0,"errorRate":0,"latencyMs":{"p50":null,"p95":null,"p99":null},"bytesIn":0,"bytesOut":0}"""),
            series[0]), series[0]!.ToJsonString());
        Assert.Equal(0L, (long)body["storage"]!["bytes"]!);
    }

    [Fact]
    public async Task Usage_AnswersPerApplicationAndTotals_AgainstThePlan_WithDeletedApplications()
    {
        var (member, stranger, workspaceId, shop, gone) = await SeedAsync();
        using var _1 = member;
        using var _2 = stranger;

        var body = await BodyAsync(await GetAsync(member, $"/control/v1/workspaces/{workspaceId}/usage?period=2027-03"));

        Assert.Equal((workspaceId, "2027-03", "pro"), ((string?)body["workspaceId"], (string?)body["period"], (string?)body["plan"]));
        var applications = body["applications"]!.AsArray();
        Assert.Equal([gone.Id, shop.Id], applications.Select(a => (string?)a!["id"]));
        Assert.Equal("""{"id":"ID","name":"Gone","status":"deleted","monthlyActiveUsers":0,"requests":4,"storageBytes":0,"bytesIn":0,"bytesOut":6,"bandwidthBytes":6}""",
            applications[0]!.ToJsonString().Replace(gone.Id, "ID", StringComparison.Ordinal));
        Assert.Equal("""{"monthlyActiveUsers":5,"requests":14,"storageBytes":0,"bytesIn":10,"bytesOut":96,"bandwidthBytes":106}""", body["totals"]!.ToJsonString());
        var included = body["included"]!;
        Assert.Equal("""{"used":14,"included":null,"percentUsed":null}""", included["requests"]!.ToJsonString());
        Assert.Equal("""{"used":5,"included":10000,"percentUsed":0.05}""", included["monthlyActiveUsers"]!.ToJsonString());
        Assert.Equal(20_000_000_000L, (long)included["storageBytes"]!["included"]!);
        Assert.Equal(100_000_000_000L, (long)included["bandwidthBytes"]!["included"]!);
    }

    [Theory]
    [InlineData("metrics?period=2h", "period")]
    [InlineData("metrics?period=1h&interval=1d", "interval")]
    [InlineData("metrics?period=7d&interval=1m", "interval")]
    [InlineData("metrics?interval=2m", "interval")]
    [InlineData("usage?period=2027-13", "period")]
    [InlineData("usage?period=2027-04", "period")]
    public async Task BadParameters_Get400_NamingTheParameter(string query, string field)
    {
        var (member, stranger, workspaceId, shop, _) = await SeedAsync();
        using var _1 = member;
        using var _2 = stranger;
        var url = query.StartsWith("metrics", StringComparison.Ordinal)
            ? $"/control/v1/applications/{shop.Id}/{query}"
            : $"/control/v1/workspaces/{workspaceId}/{query}";

        var error = await ErrorAsync(await GetAsync(member, url), 400, "invalid_request");

        Assert.Equal(field, (string?)error["details"]!["field"]);
        Assert.Contains(field, (string?)error["message"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task AMemberOfAnotherWorkspace_GetsNotFound_AndNoFigures()
    {
        var (member, stranger, workspaceId, shop, _) = await SeedAsync();
        using var _1 = member;
        using var _2 = stranger;

        foreach (var url in new[]
                 {
                     $"/control/v1/applications/{shop.Id}/metrics",
                     $"/control/v1/applications/{shop.Id}/metrics?period=bogus",
                     $"/control/v1/workspaces/{workspaceId}/usage",
                     $"/control/v1/workspaces/{workspaceId}/usage?period=2027-03",
                 })
        {
            var response = await GetAsync(stranger, url);
            var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            await ErrorAsync(response, 404, "not_found");
            Assert.DoesNotContain("Shop", text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task TheOpenApiDocument_DescribesBothEndpoints()
    {
        using var client = Client(App);
        var document = await BodyAsync(await GetAsync(client, "/openapi/v1.json"));

        var metrics = document["paths"]!["/control/v1/applications/{applicationId}/metrics"]!["get"]!;
        var usage = document["paths"]!["/control/v1/workspaces/{workspaceId}/usage"]!["get"]!;
        Assert.Equal("GetApplicationMetrics", (string?)metrics["operationId"]);
        Assert.Contains("period=1h|24h|7d|30d", (string?)metrics["summary"], StringComparison.Ordinal);
        Assert.Equal("GetWorkspaceUsage", (string?)usage["operationId"]);
        Assert.Contains(usage["parameters"]!.AsArray(), p => (string?)p!["name"] == "period");
        Assert.NotNull(metrics["responses"]!["200"]);
    }
}
