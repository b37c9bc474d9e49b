using System.Diagnostics;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Proxy;
using Portal.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Proxy;

/// <summary>
/// Proxies as they run in production: several hosts sharing one Redis and one database; Redis going away under
/// traffic; and usage counted exactly from requests through the proxy to the rolled-up rows.
/// </summary>
public sealed class ProxyReplicasTests(TestServers servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<HttpStatusCode> GetAsync(ProxyHost host, string applicationId, string key, string path = "users")
    {
        using var request = ProxyHost.Request(HttpMethod.Get, applicationId, path, key);
        using var response = await host.Client.SendAsync(request, Ct);
        return response.StatusCode;
    }

    [Fact]
    public async Task AKeyRevokedThroughOneHost_IsRefusedByTheOther_WithinOneSecond()
    {
        await using var first = await ProxyHost.StartAsync(servers);
        await using var second = await ProxyHost.StartAsync(servers, proxyOnly: true, replicaOf: first);
        await second.App.Services.GetRequiredService<ProxyKeyVerifier>().Listening.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var seeded = await first.SeedAsync();
        var key = await first.CreateKeyAsync(seeded.Owner, seeded.Application.Id, ApiKeyType.Secret, ["*"]);

        // Both hosts know the key: the second answers from its own memory from now on.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(first, seeded.Application.Id, key.Value));
        Assert.Equal(HttpStatusCode.OK, await GetAsync(second, seeded.Application.Id, key.Value));

        var revoked = await WorkspaceSteps.RunAsync(first.App, sp => sp.GetRequiredService<ManageApiKeys>()
            .RevokeAsync(WorkspaceSteps.ActorFor(seeded.Owner), seeded.Application.Id, key.Key.Id, Ct));
        Assert.True(revoked.Succeeded);
        var watch = Stopwatch.StartNew();
        while (await GetAsync(second, seeded.Application.Id, key.Value) != HttpStatusCode.Unauthorized)
        {
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), "the second host still accepts the revoked key after 5 s");
            await Task.Delay(10, Ct);
        }

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"refused after {watch.Elapsed.TotalMilliseconds:F0} ms");
        // The other key of the application still works on both.
        Assert.Equal(HttpStatusCode.OK, await GetAsync(second, seeded.Application.Id, seeded.SecretKey));
    }

    [Fact]
    public async Task AnAllowlistSavedInThePortal_ReachesTheProxy_WithinOneSecond()
    {
        await using var first = await ProxyHost.StartAsync(servers);
        await using var second = await ProxyHost.StartAsync(servers, proxyOnly: true, replicaOf: first);
        await second.App.Services.GetRequiredService<ProxyKeyVerifier>().Listening.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var seeded = await first.SeedAsync();
        var appId = seeded.Application.Id;
        Assert.Equal(HttpStatusCode.OK, await GetAsync(second, appId, seeded.SecretKey));

        async Task<TimeSpan> SaveThenWaitForAsync(string[] allowlist, HttpStatusCode expected)
        {
            var saved = await WorkspaceSteps.RunAsync(first.App, sp => sp.GetRequiredService<UpdateApplication>()
                .ExecuteAsync(WorkspaceSteps.ActorFor(seeded.Owner), appId, new ApplicationChange(IpAllowlist: allowlist), Ct));
            Assert.True(saved.Succeeded, saved.Failure?.Message);
            var watch = Stopwatch.StartNew();
            while (await GetAsync(second, appId, seeded.SecretKey) != expected)
            {
                Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"still not {expected} after 5 s");
                await Task.Delay(10, Ct);
            }

            return watch.Elapsed;
        }

        // The test client calls from 127.0.0.1.
        Assert.True(await SaveThenWaitForAsync(["203.0.113.0/24"], HttpStatusCode.Forbidden) < TimeSpan.FromSeconds(1));
        Assert.True(await SaveThenWaitForAsync(["203.0.113.0/24", "127.0.0.1"], HttpStatusCode.OK) < TimeSpan.FromSeconds(1));
    }

    [Fact]
    public async Task TwoHosts_CountAgainstOneRateLimit()
    {
        var limit = new Dictionary<string, string?> { ["Proxy:Free:Requests"] = "5", ["Proxy:Free:Period"] = "00:01:00" };
        await using var first = await ProxyHost.StartAsync(servers, limit);
        await using var second = await ProxyHost.StartAsync(servers, limit, proxyOnly: true, replicaOf: first);
        var seeded = await first.SeedAsync();

        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add(await GetAsync(first, seeded.Application.Id, seeded.SecretKey));
            answers.Add(await GetAsync(second, seeded.Application.Id, seeded.SecretKey));
        }

        Assert.Equal(5, answers.Count(a => a == HttpStatusCode.OK));
        Assert.Equal(11, answers.Count(a => a == HttpStatusCode.TooManyRequests));
    }

    [Fact]
    public async Task RedisStoppedDuringTraffic_EveryRequestSucceeds_AndUsageCatchesUp()
    {
        await using var redis = new RedisServer();
        await redis.StartAsync();
        await using var host = await ProxyHost.StartAsync(servers, redis: redis);
        var seeded = await host.SeedAsync();
        var appId = seeded.Application.Id;

        var sent = 0;
        async Task SendAsync(int count)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.Equal(HttpStatusCode.OK, await GetAsync(host, appId, seeded.SecretKey, $"users?n={sent}"));
                sent++;
            }
        }

        var rollup = host.App.Services.GetRequiredService<UsageRollup>();
        var meter = host.App.Services.GetRequiredService<UsageMeter>();

        // Rolls up until every request sent so far is counted. Moving the clock ends the writer's flush interval and
        // closes the minutes the rollup takes; the flush then reaches Redis on its own time, hence the polling.
        async Task<long> CountedAsync()
        {
            var deadline = DateTime.UtcNow.AddSeconds(30);
            long counted;
            do
            {
                host.App.Clock.Advance(TimeSpan.FromMinutes(2));
                await Task.Delay(50, Ct);
                try
                {
                    await rollup.RunAsync(Ct);
                }
                catch (StackExchange.Redis.RedisConnectionException)
                {
                    // The client is still reconnecting: the recurring job would simply run again a minute later.
                }

                await using var db = host.App.CreateDbContext();
                counted = await db.Set<UsageMinute>().Where(m => m.ApplicationId == appId).SumAsync(m => m.Requests2xx, Ct);
            }
            while (counted < sent && DateTime.UtcNow < deadline);

            return counted;
        }

        // What Redis held when it stopped is lost with it here (no persistence in tests; production Redis keeps an
        // append-only file), so the first requests are rolled up first.
        await SendAsync(100);
        Assert.Equal(100, await CountedAsync());
        await redis.StopAsync();
        await SendAsync(200);
        await redis.StartAsync();
        await SendAsync(100);

        // The writer kept the events of the outage and sends them once Redis is back: every request counted once.
        var counted = await CountedAsync();
        Assert.Equal(sent, counted);
        Assert.Equal(0, meter.Dropped);
    }
}
