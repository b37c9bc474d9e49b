using System.Net;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Accounts;

public sealed class SharedRateLimitTests(TestServers servers) : IAsyncLifetime
{
    private readonly string _prefix = $"shared-{Guid.NewGuid():N}:";
    private readonly RedisServer _ownRedis = new();
    private PortalApp _replicaA = default!;
    private PortalApp _replicaB = default!;
    private PortalApp _alone = default!;

    private Dictionary<string, string?> Settings => new()
    {
        ["Accounts:FormPostsPerMinutePerIp"] = "3",
        ["Portal:RedisKeyPrefix"] = _prefix,
    };

    public async ValueTask InitializeAsync()
    {
        await _ownRedis.InitializeAsync();
        // Two replicas: one database, one Redis, one key prefix.
        var database = await servers.Postgres.CreateDatabaseAsync();
        _replicaA = new PortalApp(servers, database, Settings);
        _replicaB = new PortalApp(servers, database, Settings);
        _alone = await PortalApp.CreateAsync(servers, Settings, _ownRedis);
    }

    public async ValueTask DisposeAsync()
    {
        await _replicaA.DisposeAsync();
        await _replicaB.DisposeAsync();
        await _alone.DisposeAsync();
        await _ownRedis.DisposeAsync();
    }

    private static async Task<HttpStatusCode> PostSignInAsync(PortalClient client) =>
        (await AccountSteps.SignInAsync(client, AccountSteps.NewEmail(), "some wrong password")).Response.StatusCode;

    [Fact]
    public async Task Limit_IsSharedByAllReplicas()
    {
        using var a = _replicaA.CreatePortalClient();
        using var b = _replicaB.CreatePortalClient();

        Assert.Equal(HttpStatusCode.OK, await PostSignInAsync(a));
        Assert.Equal(HttpStatusCode.OK, await PostSignInAsync(b));
        Assert.Equal(HttpStatusCode.OK, await PostSignInAsync(a));

        Assert.Equal(HttpStatusCode.TooManyRequests, await PostSignInAsync(b));
        Assert.Equal(HttpStatusCode.TooManyRequests, await PostSignInAsync(a));
    }

    [Fact]
    public async Task RedisDown_TheReplicaLimitsOnItsOwn_AndServesTheRest()
    {
        using var client = _alone.CreatePortalClient();
        Assert.Equal(HttpStatusCode.OK, await PostSignInAsync(client));
        await _ownRedis.StopAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add(await PostSignInAsync(client));
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], statuses);
    }
}
