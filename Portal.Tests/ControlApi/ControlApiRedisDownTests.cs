using Portal.Tests.Infrastructure;
using static Portal.Tests.Infrastructure.ControlApiSteps;

namespace Portal.Tests.ControlApi;

/// <summary>Without Redis: idempotent POSTs refuse (503) rather than risk a duplicate; everything else works, still rate-limited.</summary>
public sealed class ControlApiRedisDownTests(TestServers servers) : PortalTest(servers)
{
    private readonly RedisServer _redis = new();

    protected override Dictionary<string, string?> Settings => new() { ["ControlApi:RateLimits:Free:PerMinute"] = "4" };

    protected override async Task<PortalApp> CreateAppAsync()
    {
        await _redis.InitializeAsync();
        return await PortalApp.CreateAsync(Servers, Settings, _redis);
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public async Task RedisDown_IdempotentPostIs503_PlainRequestsWork_AndTheLimitHoldsPerReplica()
    {
        var user = await CreateUserAsync(App);
        using var client = Client(App, await SessionTokenAsync(App, user));
        Assert.Equal(201, (int)(await PostAsync(client, "/control/v1/workspaces", new { name = "Before" }, idempotencyKey: "k")).StatusCode);
        await _redis.StopAsync();

        await ErrorAsync(await PostAsync(client, "/control/v1/workspaces", new { name = "During" }, idempotencyKey: "k2"), 503, "service_unavailable");
        var plain = await PostAsync(client, "/control/v1/workspaces", new { name = "During" });
        Assert.Equal(201, (int)plain.StatusCode);
        Assert.Equal("4", plain.Headers.GetValues("X-RateLimit-Limit").Single());
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((int)(await GetAsync(client, "/control/v1/workspaces")).StatusCode);
        }

        // This replica counted the two POSTs above since Redis went away: two more pass, then 429.
        Assert.Equal([200, 200, 429, 429], statuses);
    }
}
