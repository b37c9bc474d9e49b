using System.Text;
using Portal.Core.RateLimiting;
using Portal.Core.Workspaces;
using Portal.Features.ControlApi;
using Portal.Hosting;
using Portal.Tests.Infrastructure;
using Portal.Tests.Proxy;
using StackExchange.Redis;

namespace Portal.Tests.RateLimiting;

/// <summary>
/// The rate limiters' scripts declare every key they touch in KEYS, and the keys of one call share one Redis Cluster
/// slot (CRC16 of the hash tag, as Redis Cluster computes it), so that moving to a cluster is a configuration change.
/// </summary>
public sealed class RedisClusterSlotTests(TestServers servers)
{
    /// <summary>Redis Cluster's key slot: CRC16-CCITT (XModem) of the hash tag (the first non-empty {…}) or the whole key, mod 16384.</summary>
    internal static int Slot(string key)
    {
        var open = key.IndexOf('{', StringComparison.Ordinal);
        if (open >= 0)
        {
            var close = key.IndexOf('}', open + 1);
            if (close > open + 1)
            {
                key = key[(open + 1)..close];
            }
        }

        ushort crc = 0;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++)
            {
                crc = (ushort)((crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1);
            }
        }

        return crc % 16384;
    }

    [Fact]
    public void TheSlotRule_MatchesRedisClusters()
    {
        // The examples of the Redis Cluster specification.
        Assert.Equal(Slot("{user1000}.following"), Slot("{user1000}.followers"));
        // CRC16/XMODEM("123456789") = 0x31C3, the specification's check value.
        Assert.Equal(0x31C3 % 16384, Slot("123456789"));
        // An empty tag does not count: the whole key is hashed.
        Assert.NotEqual(Slot("foo{}{bar}"), Slot("bar"));
        Assert.Equal(Slot("foo{bar}{zap}"), Slot("bar"));
    }

    [Fact]
    public void TheKeyVerifiersRecordAndVersion_ShareOneSlot()
    {
        foreach (var hex in new[] { "00", "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", "ffff" })
        {
            Assert.Equal(Slot(Portal.Core.Proxy.ProxyKeyRedisKeys.Record("p:", hex)), Slot(Portal.Core.Proxy.ProxyKeyRedisKeys.Version("p:", hex)));
        }
    }

    [Fact]
    public async Task TheProxyRateLimiter_RequestKeysShareTheirWorkspacesSlot()
    {
        await using var replica = await ProxyReplica.StartAsync(servers.Redis.ConnectionString);
        foreach (var (workspace, quota) in new[] { ("ws_a1", true), ("ws_b2", false), ((string?)null, false) })
        {
            var (bucket, counter, legacy) = replica.Limiter.KeysOf("key_x9", workspace, quota);
            Assert.Equal(Slot(bucket!), Slot(counter!));
            if (!quota)
            {
                Assert.Equal(counter, legacy);
            }
        }

        // Two keys of one workspace: one slot, so their batched requests go in one call even on a cluster.
        Assert.Equal(Slot(replica.Limiter.KeysOf("key_1", "ws_a1", true).Bucket!), Slot(replica.Limiter.KeysOf("key_2", "ws_a1", true).Bucket!));
        Assert.Equal(Slot(replica.Limiter.QuotaKey("ws_a1")), Slot(replica.Limiter.KeysOf("key_1", "ws_a1", true).Bucket!));
    }

    [Fact]
    public void TheControlApiRateLimiter_WindowsShareTheirPartitionsSlot()
    {
        using var redis = ConnectionMultiplexer.Connect(new ConfigurationOptions { EndPoints = { "127.0.0.1:1" }, AbortOnConnectFail = false, ConnectTimeout = 100 });
        var limiter = new ControlApiRateLimiter(
            new FixedWindowLimiter(redis, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<FixedWindowLimiter>.Instance), new PortalOptions());
        foreach (var partition in new[] { "user:usr_1", "login:203.0.113.9", "login:2001:db8::1" })
        {
            var (minute, day) = limiter.Keys(partition);
            Assert.Equal(Slot(minute!), Slot(day!));
        }
    }

    [Fact]
    public async Task AMonthlyCountWrittenBeforeTheRename_IsMovedIntoTheTaggedCounter()
    {
        await using var replica = await ProxyReplica.StartAsync(servers.Redis.ConnectionString, settings: new Dictionary<string, string?>
        {
            ["Proxy:Free:Requests"] = "1000",
            ["Proxy:Free:MonthlyRequests"] = "10",
        });
        var workspace = $"ws_{Guid.NewGuid():N}";
        var (_, counter, legacy) = replica.Limiter.KeysOf("key_m1", workspace, quota: true);
        var db = replica.Redis.GetDatabase();
        // What the previous version counted this month, under the name without a hash tag.
        await db.StringSetAsync(legacy, 9, TimeSpan.FromDays(40));

        var first = await replica.Limiter.AcquireAsync("key_m1", WorkspacePlan.Free, workspace);
        var second = await replica.Limiter.AcquireAsync("key_m1", WorkspacePlan.Free, workspace);

        Assert.True(first.Allowed);
        Assert.False(second.Allowed);
        Assert.True(second.QuotaExceeded);
        Assert.Equal(10, (long)await db.StringGetAsync(counter));
        Assert.False(await db.KeyExistsAsync(legacy));
        Assert.InRange((await db.KeyTimeToLiveAsync(counter))!.Value.TotalDays, 39, 40);
    }
}
