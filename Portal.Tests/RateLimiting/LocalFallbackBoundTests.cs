using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Proxy;
using Portal.Core.RateLimiting;
using Portal.Core.Workspaces;
using Portal.Features.ControlApi;
using Portal.Features.Operations;
using Portal.Hosting;
using StackExchange.Redis;

namespace Portal.Tests.RateLimiting;

/// <summary>
/// Every limiter's per-replica fallback (Redis away) holds a bounded number of partitions however many distinct
/// ones a flood brings, and keeps limiting the partitions it holds.
/// </summary>
public sealed class LocalFallbackBoundTests : IDisposable
{
    private const int Distinct = 30_000;

    // Nothing listens there: every limiter counts on its own.
    private readonly ConnectionMultiplexer _redis = ConnectionMultiplexer.Connect(new ConfigurationOptions
    {
        EndPoints = { "127.0.0.1:1" },
        AbortOnConnectFail = false,
        ConnectTimeout = 100,
        BacklogPolicy = BacklogPolicy.FailFast,
    });

    private sealed class Window(long expiresAt) : ILocalLimiterState
    {
        public bool IsStale(long now) => now >= expiresAt;
    }

    [Fact]
    public void TheTable_StaysWithinItsCapacity_DroppingStaleStatesFirst()
    {
        var table = new LocalLimiterTable<Window>(1_000, TimeProvider.System);
        var live = table.GetOrAdd("live", _ => new Window(long.MaxValue));
        for (var i = 0; i < 900; i++)
        {
            table.GetOrAdd("live-" + i, _ => new Window(long.MaxValue));
        }

        for (var i = 0; i < Distinct; i++)
        {
            table.GetOrAdd("stale-" + i, _ => new Window(0));
            Assert.True(table.Count <= 1_000, $"{table.Count} partitions after {i}");
        }

        // Only stale states made room: the live ones, and their counts, are still there.
        Assert.Same(live, table.GetOrAdd("live", _ => new Window(long.MaxValue)));
        Assert.All(Enumerable.Range(0, 900), i => Assert.False(table.GetOrAdd("live-" + i, _ => new Window(0)).IsStale(TimeProvider.System.GetTimestamp())));
    }

    [Fact]
    public void APartitionAddedAtTheCap_KeepsItsState_EvenIfItLooksStale()
    {
        var table = new LocalLimiterTable<Window>(100, TimeProvider.System);
        for (var i = 0; i < 100; i++)
        {
            table.GetOrAdd("live-" + i, _ => new Window(long.MaxValue));
        }

        var added = table.GetOrAdd("new", _ => new Window(0));
        Assert.Same(added, table.GetOrAdd("new", _ => new Window(0)));
    }

    [Fact]
    public void TheTable_StaysWithinItsCapacity_WhenEveryStateIsLive()
    {
        var table = new LocalLimiterTable<Window>(1_000, TimeProvider.System);
        for (var i = 0; i < Distinct; i++)
        {
            table.GetOrAdd("live-" + i, _ => new Window(long.MaxValue));
            Assert.True(table.Count <= 1_000, $"{table.Count} partitions after {i}");
        }
    }

    [Fact]
    public async Task TheProxyRateLimiter_StaysWithinItsCapacity()
    {
        var limiter = new ProxyRateLimiter(_redis, Options.Create(new ProxyKeyOptions { LocalCacheCapacity = 500, RedisRetryInterval = TimeSpan.FromHours(1), Free = new() { Requests = 10, Period = TimeSpan.FromHours(1) } }),
            TimeProvider.System, NullLogger<ProxyRateLimiter>.Instance);
        Assert.False((await limiter.AcquireAsync("key_first", WorkspacePlan.Free)).Shared);
        for (var i = 0; i < Distinct; i++)
        {
            Assert.False((await limiter.AcquireAsync("key_" + i, WorkspacePlan.Free)).Shared);
        }

        Assert.InRange(limiter.LocalBuckets, 1, 500);

        // It still limits: the burst of 10, then refusals (one request back per 6 minutes).
        var decisions = new List<bool>();
        for (var i = 0; i < 12; i++)
        {
            decisions.Add((await limiter.AcquireAsync("key_burst", WorkspacePlan.Free)).Allowed);
        }

        Assert.Equal([.. Enumerable.Repeat(true, 10), false, false], decisions);
    }

    [Fact]
    public async Task TheControlApiRateLimiter_StaysWithinItsCapacity()
    {
        var windows = new FixedWindowLimiter(_redis, TimeProvider.System, NullLogger<FixedWindowLimiter>.Instance);
        var limiter = new ControlApiRateLimiter(windows, new PortalOptions());
        var limit = new PlanRateLimit { PerMinute = 2, PerDay = 100 };
        for (var i = 0; i < Distinct; i++)
        {
            Assert.True((await limiter.AcquireAsync("user:" + i, limit)).Allowed);
        }

        Assert.InRange(windows.LocalPartitions, 1, FixedWindowLimiter.LocalCapacity);
        var allowed = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            allowed.Add((await limiter.AcquireAsync("user:x", limit)).Allowed);
        }

        Assert.Equal([true, true, false], allowed);
    }

    [Fact]
    public async Task TheAccountFormsLimiter_SharesOneBoundedTable_ThatOutlivesItsLimiters()
    {
        var windows = new FixedWindowLimiter(_redis, TimeProvider.System, NullLogger<FixedWindowLimiter>.Instance);
        for (var i = 0; i < Distinct; i++)
        {
            using var limiter = new RedisFixedWindowRateLimiter(windows, "ratelimit:forms:10.0." + i, 3, TimeSpan.FromMinutes(1), TimeProvider.System);
            using var lease = await limiter.AcquireAsync(1, TestContext.Current.CancellationToken);
            Assert.True(lease.IsAcquired);
        }

        Assert.InRange(windows.LocalPartitions, 1, FixedWindowLimiter.LocalCapacity);

        // ASP.NET drops an idle partition's limiter; the new one for the same address goes on counting.
        var granted = new List<bool>();
        for (var i = 0; i < 4; i++)
        {
            using var limiter = new RedisFixedWindowRateLimiter(windows, "ratelimit:forms:192.0.2.1", 3, TimeSpan.FromMinutes(1), TimeProvider.System);
            using var lease = await limiter.AcquireAsync(1, TestContext.Current.CancellationToken);
            granted.Add(lease.IsAcquired);
        }

        Assert.Equal([true, true, true, false], granted);
    }

    [Fact]
    public async Task TheFailedAuthenticationLimiter_StaysWithinItsCapacity()
    {
        var limiter = new FailedAuthenticationLimiter(_redis, Options.Create(new FailedAuthenticationOptions { PerMinutePerAddress = 2, LocalCapacity = 500 }),
            TimeProvider.System, NullLogger<FailedAuthenticationLimiter>.Instance);
        for (var i = 0; i < Distinct; i++)
        {
            Assert.True((await limiter.AdmitAsync(FailedAuthenticationLimiter.ProxyRealm, new IPAddress(0x0A000000 + i))).Allowed);
        }

        Assert.InRange(limiter.LocalAddresses, 1, 500);
        var address = IPAddress.Parse("203.0.113.7");
        var admitted = new List<bool>();
        for (var i = 0; i < 3; i++)
        {
            admitted.Add((await limiter.AdmitAsync(FailedAuthenticationLimiter.ProxyRealm, address)).Allowed);
        }

        Assert.Equal([true, true, false], admitted);
        // A found credential gives its slot back.
        limiter.Release(FailedAuthenticationLimiter.ProxyRealm, address);
        Assert.True((await limiter.AdmitAsync(FailedAuthenticationLimiter.ProxyRealm, address)).Allowed);
    }

    [Fact]
    public void IPv6Clients_ShareTheirSlash64_MappedIPv4CountsAsIPv4()
    {
        Assert.Equal(
            FailedAuthenticationLimiter.Partition("proxy", IPAddress.Parse("2001:db8:1:2::1")),
            FailedAuthenticationLimiter.Partition("proxy", IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        Assert.NotEqual(
            FailedAuthenticationLimiter.Partition("proxy", IPAddress.Parse("2001:db8:1:2::1")),
            FailedAuthenticationLimiter.Partition("proxy", IPAddress.Parse("2001:db8:1:3::1")));
        Assert.Equal("proxy:192.0.2.1", FailedAuthenticationLimiter.Partition("proxy", IPAddress.Parse("::ffff:192.0.2.1")));
    }

    public void Dispose() => _redis.Dispose();
}
