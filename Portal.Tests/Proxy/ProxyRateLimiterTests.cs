using System.Diagnostics;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Proxy;

/// <summary>The shared GCRA limit in the run's real Redis, and the per-replica fallback while Redis is stopped.</summary>
public sealed class ProxyRateLimiterTests(TestServers servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>5 requests per 10 s: slow enough that no token comes back while a test runs.</summary>
    private static readonly Dictionary<string, string?> FivePerTenSeconds = new()
    {
        ["Proxy:Free:Requests"] = "5",
        ["Proxy:Free:Period"] = "00:00:10",
        ["Proxy:RedisRetryInterval"] = "00:00:00.200",
    };

    private static string NewKeyId() => $"key_{Guid.NewGuid():N}";

    [Fact]
    public async Task ALowLimit_AllowsExactlyItsBurst_WithRemainingResetAndRetryAfter()
    {
        await using var replica = await ProxyReplica.StartAsync(servers.Redis.ConnectionString, settings: FivePerTenSeconds);
        var keyId = NewKeyId();

        var decisions = new List<Core.Proxy.RateLimitDecision>();
        for (var i = 0; i < 8; i++)
        {
            decisions.Add(await replica.Limiter.AcquireAsync(keyId, WorkspacePlan.Free));
        }

        Assert.Equal([true, true, true, true, true, false, false, false], decisions.Select(d => d.Allowed));
        Assert.Equal([4, 3, 2, 1, 0, 0, 0, 0], decisions.Select(d => d.Remaining));
        Assert.All(decisions, d => Assert.True(d.Shared));
        Assert.All(decisions, d => Assert.Equal(5, d.Limit));
        // Full again 10 s after the fifth request; the sixth may come 2 s (one emission interval) after it.
        Assert.InRange(decisions[4].Reset.TotalSeconds, 9.5, 10);
        Assert.Equal(10, decisions[4].ResetSeconds);
        Assert.InRange(decisions[5].RetryAfter.TotalSeconds, 1.5, 2);
        Assert.Equal(2, decisions[5].RetryAfterSeconds);
        Assert.Equal(TimeSpan.Zero, decisions[0].RetryAfter);

        // Another key has its own bucket.
        Assert.True((await replica.Limiter.AcquireAsync(NewKeyId(), WorkspacePlan.Free)).Allowed);
    }

    [Fact]
    public async Task TwoReplicas_ShareOneLimit()
    {
        await using var first = await ProxyReplica.StartAsync(servers.Redis.ConnectionString, settings: FivePerTenSeconds);
        await using var second = await ProxyReplica.StartAsync(servers.Redis.ConnectionString, settings: FivePerTenSeconds);
        var keyId = NewKeyId();

        var allowed = 0;
        for (var i = 0; i < 10; i++)
        {
            var decision = await (i % 2 == 0 ? first : second).Limiter.AcquireAsync(keyId, WorkspacePlan.Free);
            allowed += decision.Allowed ? 1 : 0;
        }

        Assert.Equal(5, allowed);
    }

    [Fact]
    public async Task ConcurrentRequests_AreCountedExactly()
    {
        await using var first = await ProxyReplica.StartAsync(servers.Redis.ConnectionString, settings: FivePerTenSeconds);
        await using var second = await ProxyReplica.StartAsync(servers.Redis.ConnectionString, settings: FivePerTenSeconds);
        var keyId = NewKeyId();

        var decisions = await Task.WhenAll(Enumerable.Range(0, 100)
            .Select(i => (i % 2 == 0 ? first : second).Limiter.AcquireAsync(keyId, WorkspacePlan.Free).AsTask()));

        Assert.Equal(5, decisions.Count(d => d.Allowed));
    }

    [Fact]
    public async Task RequestsArrivingTogether_AreDecidedInFewScriptCalls_EachAgainstItsOwnKeyAndQuota()
    {
        var settings = new Dictionary<string, string?>(FivePerTenSeconds) { ["Proxy:Free:MonthlyRequests"] = "150" };
        await using var replica = await ProxyReplica.StartAsync(servers.Redis.ConnectionString, settings: settings);
        var workspaceId = $"ws_{Guid.NewGuid():N}";
        var keys = Enumerable.Range(0, 50).Select(_ => NewKeyId()).ToArray();

        // 50 keys × 4 requests at once: each key allows its burst of 5, so all 200 pass the rate limit; the workspace's
        // month allows 150 of them.
        var decisions = await Task.WhenAll(Enumerable.Range(0, 200)
            .Select(i => replica.Limiter.AcquireAsync(keys[i % 50], WorkspacePlan.Free, workspaceId).AsTask()));

        Assert.Equal(150, decisions.Count(d => d.Allowed));
        Assert.Equal(50, decisions.Count(d => d.QuotaExceeded));
        Assert.InRange(replica.Limiter.ScriptCalls, 1, 100);
        // A key's requests in one call are taken in order: its four decisions count down 4, 3, 2, 1 among the allowed.
        Assert.All(decisions.Where(d => d.Allowed), d => Assert.InRange(d.Remaining, 0, 4));
    }

    [Fact]
    public async Task ThePlans_HaveTheirLimits_FreeTen_ProHundred_EnterpriseConfigured()
    {
        await using var replica = await ProxyReplica.StartAsync(servers.Redis.ConnectionString,
            settings: new Dictionary<string, string?> { ["Proxy:Enterprise:Requests"] = "2500" });

        Assert.Equal(10, (await replica.Limiter.AcquireAsync(NewKeyId(), WorkspacePlan.Free)).Limit);
        Assert.Equal(100, (await replica.Limiter.AcquireAsync(NewKeyId(), WorkspacePlan.Pro)).Limit);
        Assert.Equal(2500, (await replica.Limiter.AcquireAsync(NewKeyId(), WorkspacePlan.Enterprise)).Limit);

        var keyId = NewKeyId();
        var allowed = 0;
        for (var i = 0; i < 15; i++)
        {
            allowed += (await replica.Limiter.AcquireAsync(keyId, WorkspacePlan.Free)).Allowed ? 1 : 0;
        }

        // Ten at once; a sixteenth of a second or so may have returned one more token (one per 100 ms).
        Assert.InRange(allowed, 10, 11);
    }

    [Fact]
    public async Task WithRedisStopped_EachReplicaLimitsOnItsOwn_AndTheSharedLimitComesBackWithRedis()
    {
        var redis = new RedisServer();
        await redis.InitializeAsync();
        try
        {
            await using var replica = await ProxyReplica.StartAsync(redis.ConnectionString, settings: FivePerTenSeconds);
            Assert.True((await replica.Limiter.AcquireAsync(NewKeyId(), WorkspacePlan.Free)).Shared);
            await redis.StopAsync();

            var keyId = NewKeyId();
            var decisions = new List<Core.Proxy.RateLimitDecision>();
            for (var i = 0; i < 8; i++)
            {
                decisions.Add(await replica.Limiter.AcquireAsync(keyId, WorkspacePlan.Free));
            }

            Assert.Equal([true, true, true, true, true, false, false, false], decisions.Select(d => d.Allowed));
            Assert.Equal([4, 3, 2, 1, 0, 0, 0, 0], decisions.Select(d => d.Remaining));
            // Decided in memory (Degraded itself turns false again after each 200 ms retry interval, so it is not asserted).
            Assert.All(decisions, d => Assert.False(d.Shared));

            await redis.StartAsync();
            var watch = Stopwatch.StartNew();
            Core.Proxy.RateLimitDecision after;
            do
            {
                await Task.Delay(100, Ct);
                after = await replica.Limiter.AcquireAsync(NewKeyId(), WorkspacePlan.Free);
            }
            while (!after.Shared && watch.Elapsed < TimeSpan.FromSeconds(20));

            Assert.True(after.Shared, "the limiter did not return to Redis");
            Assert.True(after.Allowed);
        }
        finally
        {
            await redis.DisposeAsync();
        }
    }
}
