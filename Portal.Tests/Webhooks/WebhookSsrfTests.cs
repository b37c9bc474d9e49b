using System.Net;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Audit;
using Portal.Core.Webhooks;
using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;
using static Portal.Tests.Webhooks.WebhookSteps;

namespace Portal.Tests.Webhooks;

/// <summary>With private destinations refused (the default outside Development): at creation, and again at connect time.</summary>
public sealed class WebhookSsrfTests(TestServers servers) : PortalTest(servers)
{
    private static readonly string[] KeyCreatedOnly = [PlatformEventTypes.KeyCreated];

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.8.9.10", true)]
    [InlineData("10.0.0.5", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("100.127.255.254", true)]
    [InlineData("0.0.0.0", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("::1", true)]
    [InlineData("::", true)]
    [InlineData("fe80::1", true)]
    [InlineData("fc00::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:127.0.0.1", true)]
    [InlineData("::ffff:10.1.2.3", true)]
    [InlineData("::ffff:169.254.169.254", true)]
    [InlineData("64:ff9b::a00:1", true)]
    [InlineData("2002:c0a8:101::1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("100.128.0.1", false)]
    [InlineData("93.184.216.34", false)]
    [InlineData("2001:4860:4860::8888", false)]
    [InlineData("::ffff:8.8.8.8", false)]
    public void PrivateAddresses_AreRecognised(string address, bool refused) =>
        Assert.Equal(refused, WebhookDestinations.IsPrivate(IPAddress.Parse(address)));

    [Theory]
    [InlineData("https://127.0.0.1/hook")]
    [InlineData("https://localhost/hook")]
    [InlineData("https://api.localhost/hook")]
    [InlineData("https://10.1.2.3/hook")]
    [InlineData("https://169.254.169.254/latest/meta-data")]
    [InlineData("https://[::1]/hook")]
    [InlineData("https://[::ffff:192.168.1.1]/hook")]
    [InlineData("https://[fe80::1]/hook")]
    [InlineData("https://100.64.0.1/hook")]
    [InlineData("https://0.0.0.0/hook")]
    [InlineData("http://8.8.8.8/hook")]
    [InlineData("https://user:pass@8.8.8.8/hook")]
    [InlineData("not a url")]
    public async Task Creation_RefusesPrivateDestinationsAndPlainHttp_Naming_url(string url)
    {
        var owner = await OwnerWithApplicationAsync(App);

        var response = await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks", new { url, events = KeyCreatedOnly });

        var error = await ErrorAsync(response, 400, "invalid_request");
        Assert.Equal("url", (string?)error["details"]!["field"]);
        Assert.Empty(await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<WebhookQueries>().ListAsync(owner.User.Id, owner.Application.Id)) is { Value: { } list } ? list : []);
    }

    [Fact]
    public async Task Creation_AcceptsAPublicHttpsAddress()
    {
        var owner = await OwnerWithApplicationAsync(App);

        var response = await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks", new { url = "https://8.8.8.8/hook", events = KeyCreatedOnly });

        Assert.Equal(201, (int)response.StatusCode);
    }

    [Fact]
    public async Task AtConnectTime_AHostThatNowResolvesToLoopback_IsRefused_AndTheAttemptSaysSo()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        var owner = await OwnerWithApplicationAsync(App);
        // Saved while the name still pointed outside (DNS rebinding): written directly, past the creation check.
        var endpoint = new WebhookEndpoint
        {
            ApplicationId = owner.Application.Id,
            Url = $"http://localhost:{receiver.Address.Port}/hook",
            Events = [PlatformEventTypes.KeyCreated],
            ProtectedSecret = App.Services.GetRequiredService<WebhookSecrets>().Protect(WebhookSecrets.New()),
            CreatedAt = App.Clock.GetUtcNow(),
        };
        await using (var db = App.CreateDbContext())
        {
            db.Add(endpoint);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        var test = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ManageWebhooks>()
            .SendTestAsync(Actor.User(owner.User.Id, owner.User.Email), owner.Application.Id, endpoint.Id, TestContext.Current.CancellationToken));

        var attempt = await DeliverAsync(App, test.Value!.Id);

        Assert.NotNull(attempt);
        Assert.Null(attempt.StatusCode);
        Assert.StartsWith("Refused: 'localhost' resolves to", attempt.Error, StringComparison.Ordinal);
        Assert.Empty(receiver.Requests);
        var delivery = await DeliveryAsync(App, test.Value.Id);
        Assert.Equal(WebhookDeliveryStatus.Failed, delivery.Status);
        Assert.Equal(1, delivery.AttemptCount);
    }

    /// <summary>Counts the names the portal asks to resolve for webhook URLs, and resolves none of them.</summary>
    private sealed class CountingResolver : WebhookHostResolver
    {
        private int _lookups;

        public int Lookups => _lookups;

        public override Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _lookups);
            return Task.FromResult<IPAddress[]>([IPAddress.Parse("8.8.8.8")]);
        }
    }

    [Fact]
    public async Task AnOutsidersCreate_IsRefused_BeforeTheHostIsResolved()
    {
        var owner = await OwnerWithApplicationAsync(App);
        var outsider = await CreateUserAsync(App);
        var resolver = new CountingResolver();
        await using var counted = App.WithWebHostBuilder(builder => builder.ConfigureTestServices(services => services.AddSingleton<WebhookHostResolver>(resolver)));
        using var client = counted.CreateClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await SessionTokenAsync(App, outsider));

        // A name only an attacker's DNS server would see asked for: no answer of ours may depend on it.
        var probe = $"https://probe-{Guid.NewGuid():N}.invalid/hook";
        var created = await PostAsync(client, $"/control/v1/applications/{owner.Application.Id}/webhooks", new { url = probe, events = KeyCreatedOnly });
        await ErrorAsync(created, 404, "not_found");
        Assert.Equal(0, resolver.Lookups);

        // The owner's own request does resolve (and the answer decides).
        var endpoint = await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks", new { url = "https://8.8.8.8/hook", events = KeyCreatedOnly });
        Assert.Equal(201, (int)endpoint.StatusCode);
        var endpointId = (string)(await BodyAsync(endpoint))["id"]!;
        var changed = await PatchAsync(client, $"/control/v1/applications/{owner.Application.Id}/webhooks/{endpointId}", new { url = probe });
        await ErrorAsync(changed, 404, "not_found");
        Assert.Equal(0, resolver.Lookups);

        using var ownerClient = counted.CreateClient();
        ownerClient.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", await SessionTokenAsync(App, owner.User));
        var byName = await PostAsync(ownerClient, $"/control/v1/applications/{owner.Application.Id}/webhooks", new { url = "https://hooks.example.com/in", events = KeyCreatedOnly });
        Assert.Equal(201, (int)byName.StatusCode);
        Assert.Equal(1, resolver.Lookups);
    }

    [Theory]
    [InlineData("https://8.8.8.8:25/hook")]
    [InlineData("https://8.8.8.8:6379/hook")]
    [InlineData("https://8.8.8.8:22/hook")]
    [InlineData("https://8.8.8.8:8080/hook")]
    public async Task Creation_RefusesPortsOtherThan443_80_And8443_Naming_url(string url)
    {
        var owner = await OwnerWithApplicationAsync(App);

        var response = await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks", new { url, events = KeyCreatedOnly });

        var error = await ErrorAsync(response, 400, "invalid_request");
        Assert.Equal("url", (string?)error["details"]!["field"]);
        Assert.Contains("port", (string?)error["message"], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://8.8.8.8:443/hook")]
    [InlineData("https://8.8.8.8:8443/hook")]
    public async Task Creation_AcceptsTheUsualHttpsPorts(string url)
    {
        var owner = await OwnerWithApplicationAsync(App);

        var response = await PostAsync(owner.Client, $"/control/v1/applications/{owner.Application.Id}/webhooks", new { url, events = KeyCreatedOnly });

        Assert.Equal(201, (int)response.StatusCode);
    }
}
