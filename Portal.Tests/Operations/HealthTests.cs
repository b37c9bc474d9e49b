using System.Net;
using System.Text.Json;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Operations;

public sealed class HealthTests(TestServers servers) : PortalTest(servers)
{
    // A Redis of this test's own, since the test stops it.
    private readonly RedisServer _redis = new();

    protected override async Task<PortalApp> CreateAppAsync()
    {
        await _redis.InitializeAsync();
        return await PortalApp.CreateAsync(Servers, redis: _redis);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _redis.DisposeAsync();
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(HttpClient client)
    {
        using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative), TestContext.Current.CancellationToken);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.Clone();
        return (response.StatusCode, body);
    }

    private static async Task<HttpStatusCode> WaitForReadyStatusAsync(HttpClient client, HttpStatusCode expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            (status, _) = await ReadyAsync(client);
            if (status == expected)
            {
                break;
            }

            await Task.Delay(200, TestContext.Current.CancellationToken);
        }
        while (DateTime.UtcNow < deadline);

        return status;
    }

    [Fact]
    public async Task Ready_Is503WhileRedisIsDown_And200WhenItIsBack()
    {
        using var client = App.CreateClient();
        var (status, body) = await ReadyAsync(client);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());

        await _redis.StopAsync();
        Assert.Equal(HttpStatusCode.ServiceUnavailable, await WaitForReadyStatusAsync(client, HttpStatusCode.ServiceUnavailable));
        (_, body) = await ReadyAsync(client);
        Assert.Equal("unhealthy", body.GetProperty("checks").GetProperty("redis").GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("postgresql").GetProperty("status").GetString());
        Assert.Equal("healthy", body.GetProperty("checks").GetProperty("hangfire").GetProperty("status").GetString());

        await _redis.StartAsync();
        Assert.Equal(HttpStatusCode.OK, await WaitForReadyStatusAsync(client, HttpStatusCode.OK));
    }

    [Fact]
    public async Task Live_AnswersWithoutCheckingDependencies()
    {
        using var client = App.CreateClient();
        await _redis.StopAsync();

        using var response = await client.GetAsync(new Uri("/health/live", UriKind.Relative), TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
    }
}
