using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Portal.Core.Usage;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;

namespace Portal.Tests.Proxy;

/// <summary>What the proxy hands the meter: one event per request (refusals of a known key too), MAU from sign-ins only.</summary>
public sealed class ProxyMeteringTests(TestServers servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SignIns_PutTheirUsersIntoTheMonthlyActiveUsers_FromTheHeaderOrTheJsonBody_AndEveryRequestIsCounted()
    {
        await using var host = await ProxyHost.StartAsync(servers);
        var seeded = await host.SeedAsync();
        var appId = seeded.Application.Id;

        async Task<HttpStatusCode> SendAsync(HttpMethod method, string path, string key)
        {
            using var request = ProxyHost.Request(method, appId, path, key);
            using var response = await host.Client.SendAsync(request, Ct);
            return response.StatusCode;
        }

        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Post, "auth/sign-in?via=header&user=usr_header", seeded.PublicKey));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Post, "auth/sign-in?via=json&user=usr_body", seeded.PublicKey));
        // Not counted as active users: a failed sign-in, another route, a refused request.
        Assert.Equal(HttpStatusCode.Unauthorized, await SendAsync(HttpMethod.Post, "auth/sign-up?status=401", seeded.PublicKey));
        Assert.Equal(HttpStatusCode.OK, await SendAsync(HttpMethod.Get, "users/usr_other", seeded.SecretKey));
        Assert.Equal(HttpStatusCode.Forbidden, await SendAsync(HttpMethod.Get, "users/usr_forbidden", seeded.PublicKey));

        var keys = new MeteringKeys(host.App.Services.GetRequiredService<IOptions<MeteringOptions>>().Value.RedisKeyPrefix);
        var now = host.App.Clock.GetUtcNow();
        var redis = host.App.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var mau = new RedisKey(keys.Mau(appId, now.Year, now.Month));
        var bucket = new RedisKey(keys.Bucket(appId, now.ToUnixTimeSeconds() / 60));
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while ((long)(await redis.HashGetAsync(bucket, "s2")) + (long)(await redis.HashGetAsync(bucket, "s4")) < 5 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        Assert.Equal((3L, 2L), ((long)await redis.HashGetAsync(bucket, "s2"), (long)await redis.HashGetAsync(bucket, "s4")));
        Assert.True((long)await redis.HashGetAsync(bucket, "bo") > 2000, "bytes out counted");
        Assert.Equal(2, await redis.HyperLogLogLengthAsync(mau));
        // The two are exactly the signed-in users: adding them changes nothing.
        Assert.False(await redis.HyperLogLogAddAsync(mau, ["usr_header", "usr_body"]));
        Assert.Equal(2, await redis.HyperLogLogLengthAsync(mau));
    }
}
