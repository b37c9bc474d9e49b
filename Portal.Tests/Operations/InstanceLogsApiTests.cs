using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Provisioning;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;
using Portal.Tests.Provisioning;
using Portal.Tests.Simulators.Kubernetes;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.Operations;

/// <summary>
/// <c>GET /control/v1/applications/{id}/logs</c> against a provisioned instance of the simulated cluster: its two pods
/// write a JSON line every 20 ms (the simulator's authentication-server log), read back through the real pods/log API.
/// </summary>
public sealed class InstanceLogsApiTests(TestServers servers, KubernetesSimulatorFixture kubernetes)
    : PortalTest(servers), IClassFixture<KubernetesSimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override Dictionary<string, string?> Settings => new(SimulatedRegion.Settings(Servers, kubernetes))
    {
        // Waiting for lines asks often; the free plan's 100 calls a minute are not what is tested here.
        ["ControlApi:RateLimits:Free:PerMinute"] = "100000",
    };

    private sealed record Instance(TestUser Owner, string WorkspaceId, string ApplicationId, HttpClient Client);

    /// <summary>An application provisioned to active whose pods have written at least <paramref name="lines"/> lines in all.</summary>
    private async Task<Instance> ActiveInstanceAsync(int lines = 300)
    {
        var owner = await CreateUserAsync(App);
        var workspaceId = await CreateWorkspaceAsync(App, owner);
        var client = Client(App, await SessionTokenAsync(App, owner));
        var created = await BodyAsync(await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/applications",
            new { name = "Logged", environment = "production", region = SimulatedRegion.Name }));
        var applicationId = (string)created["application"]!["id"]!;
        await using (var scope = App.Services.CreateAsyncScope())
        {
            Assert.Equal(ProvisioningOutcome.Succeeded, await scope.ServiceProvider.GetRequiredService<ProvisionApplication>().ExecuteAsync(applicationId, Ct));
        }

        await Eventually.WaitAsync(() => LinesAsync(client, applicationId, "tail=1000"), l => l.Count >= lines, $"{lines} log lines",
            TimeSpan.FromSeconds(30));
        return new Instance(owner, workspaceId, applicationId, client);
    }

    private static async Task<JsonArray> LinesAsync(HttpClient client, string applicationId, string query)
    {
        var response = await GetAsync(client, $"/control/v1/applications/{applicationId}/logs?{query}");
        var body = await BodyAsync(response);
        Assert.True(response.IsSuccessStatusCode, body.ToJsonString());
        return body["data"]!.AsArray();
    }

    private static DateTimeOffset Time(JsonNode? line) => DateTimeOffset.Parse((string)line!["time"]!, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Tail_MergesEveryPod_OldestFirst_WithParsedJsonLines()
    {
        var instance = await ActiveInstanceAsync();

        var body = await BodyAsync(await GetAsync(instance.Client, $"/control/v1/applications/{instance.ApplicationId}/logs?tail=1000"));
        var pods = body["pods"]!.AsArray().Select(p => (string)p!).ToList();
        var all = body["data"]!.AsArray();
        Assert.Equal(2, pods.Count);
        Assert.Equal(pods, all.Select(l => (string)l!["pod"]!).Distinct().Order(StringComparer.Ordinal));
        Assert.Equal(all.Select(Time).Order(), all.Select(Time));
        // The JSON line's level and message are its fields; the rest stays with the line.
        Assert.Contains(all, l => (string?)l!["message"] == "starting authsome server" && (string?)l["level"] == "info");
        Assert.Contains(all, l => l!["fields"]?["route"] is not null && l["fields"]!["msg"] is null && l["fields"]!["ts"] is null);

        var last5 = await LinesAsync(instance.Client, instance.ApplicationId, "tail=5");
        Assert.Equal(5, last5.Count);
        Assert.All(last5, l => Assert.True(Time(l) >= Time(all[^1]) - TimeSpan.FromSeconds(5)));
        Assert.True(Time(last5[0]) <= Time(last5[4]));
    }

    [Fact]
    public async Task LevelTextPodAndSince_Filter()
    {
        var instance = await ActiveInstanceAsync(lines: 600);
        var url = instance.ApplicationId;

        var warnings = await LinesAsync(instance.Client, url, "level=warn&tail=1000");
        Assert.NotEmpty(warnings);
        Assert.All(warnings, l => Assert.True((string?)l!["level"] is "warn" or "error"));
        Assert.Contains(warnings, l => (string?)l!["level"] == "warn");
        var errors = await LinesAsync(instance.Client, url, "level=ERROR&tail=1000");
        Assert.All(errors, l => Assert.Equal("error", (string?)l!["level"]));
        Assert.True(errors.Count < warnings.Count);

        // Any case, in the message or the line's other fields.
        var signedIn = await LinesAsync(instance.Client, url, "q=SIGNED%20IN&tail=20");
        Assert.NotEmpty(signedIn);
        Assert.All(signedIn, l => Assert.Equal("user signed in", (string?)l!["message"]));
        var byRoute = await LinesAsync(instance.Client, url, "q=%2Foauth%2Ftoken&tail=20");
        Assert.NotEmpty(byRoute);
        Assert.All(byRoute, l => Assert.Equal("POST /oauth/token", (string?)l!["fields"]!["route"]));

        var pods = (await BodyAsync(await GetAsync(instance.Client, $"/control/v1/applications/{url}/logs?tail=1")))["pods"]!.AsArray();
        var onePod = (string)pods[0]!;
        var ofOnePod = await LinesAsync(instance.Client, url, $"pod={onePod}&tail=50");
        Assert.Equal(50, ofOnePod.Count);
        Assert.All(ofOnePod, l => Assert.Equal(onePod, (string?)l!["pod"]));

        var everything = await LinesAsync(instance.Client, url, "tail=1000");
        var from = Time(everything[everything.Count / 2]);
        var since = await LinesAsync(instance.Client, url, $"since={Uri.EscapeDataString(from.ToString("O", System.Globalization.CultureInfo.InvariantCulture))}&tail=1000");
        Assert.NotEmpty(since);
        Assert.All(since, l => Assert.True(Time(l) >= from));
        var lastHour = await LinesAsync(instance.Client, url, "since=1h&tail=10");
        Assert.Equal(10, lastHour.Count);
    }

    [Theory]
    [InlineData("tail=0", "tail")]
    [InlineData("tail=1001", "tail")]
    [InlineData("tail=-5", "tail")]
    [InlineData("tail=ten", "tail")]
    [InlineData("since=yesterday", "since")]
    [InlineData("since=0s", "since")]
    [InlineData("since=31d", "since")]
    [InlineData("since=99999999999999h", "since")]
    [InlineData("since=2026-12-06", "since")]
    [InlineData("level=loud", "level")]
    [InlineData("q=%20%20", "q")]
    [InlineData("pod=Not_A_Pod", "pod")]
    public async Task BadParameters_Are400NamingTheParameter(string query, string field)
    {
        var owner = await CreateUserAsync(App);
        var workspaceId = await CreateWorkspaceAsync(App, owner);
        var client = Client(App, await SessionTokenAsync(App, owner));
        var created = await BodyAsync(await PostAsync(client, $"/control/v1/workspaces/{workspaceId}/applications",
            new { name = "Logged", environment = "production", region = SimulatedRegion.Name }));

        var error = await ErrorAsync(await GetAsync(client, $"/control/v1/applications/{(string)created["application"]!["id"]!}/logs?{query}"), 400, "invalid_request");

        Assert.Equal(field, (string?)error["details"]!["field"]);
    }

    [Fact]
    public async Task ViewerReads_StrangerGets404_UnknownPodIs404_NotYetProvisionedIsEmpty()
    {
        var instance = await ActiveInstanceAsync(lines: 10);
        var viewer = await CreateUserAsync(App);
        await AddMemberAsync(App, instance.WorkspaceId, viewer, WorkspaceRole.Viewer);
        Assert.NotEmpty(await LinesAsync(Client(App, await SessionTokenAsync(App, viewer)), instance.ApplicationId, "tail=10"));

        var stranger = Client(App, await SessionTokenAsync(App, await CreateUserAsync(App)));
        await ErrorAsync(await GetAsync(stranger, $"/control/v1/applications/{instance.ApplicationId}/logs"), 404, "not_found");

        var unknownPod = await ErrorAsync(await GetAsync(instance.Client, $"/control/v1/applications/{instance.ApplicationId}/logs?pod=authsome-gone-12345"), 404, "not_found");
        Assert.Contains("authsome-gone-12345", (string?)unknownPod["message"], StringComparison.Ordinal);

        // Created but not provisioned (no worker here): no namespace yet, so no line, and no error.
        var pending = await BodyAsync(await PostAsync(instance.Client, $"/control/v1/workspaces/{instance.WorkspaceId}/applications",
            new { name = "Pending", environment = "staging", region = SimulatedRegion.Name }));
        var empty = await BodyAsync(await GetAsync(instance.Client, $"/control/v1/applications/{(string)pending["application"]!["id"]!}/logs"));
        Assert.Empty(empty["data"]!.AsArray());
        Assert.Empty(empty["pods"]!.AsArray());
    }

    [Fact]
    public async Task AClusterFailingThePodListOrALog_Answers503_AndTheNextCallWorks()
    {
        var instance = await ActiveInstanceAsync(lines: 10);
        var ns = TenantNames.Namespace(instance.ApplicationId);
        var url = $"/control/v1/applications/{instance.ApplicationId}/logs?tail=10";

        kubernetes.Cluster.Faults.FailNext(1, 500, verb: "list", resource: "pods", @namespace: ns);
        await ErrorAsync(await GetAsync(instance.Client, url), 503, "service_unavailable");
        kubernetes.Cluster.Faults.FailNext(1, 503, verb: "get", resource: "pods/log", @namespace: ns);
        await ErrorAsync(await GetAsync(instance.Client, url), 503, "service_unavailable");

        Assert.NotEmpty(await LinesAsync(instance.Client, instance.ApplicationId, "tail=10"));
    }
}
