using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Usage;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;

namespace Portal.Tests.Usage;

/// <summary>The meter, its Redis writer and the exactly-once rollup, against the run's PostgreSQL and Redis.</summary>
public sealed class MeteringTests(TestServers servers) : PortalTest(servers)
{
    private static readonly string[] Apps = ["app_meter1", "app_meter2", "app_meter3", "app_meter4", "app_meter5"];

    private UsageMeter Meter => App.Services.GetRequiredService<UsageMeter>();

    private UsageWriter Writer => App.Services.GetRequiredService<UsageWriter>();

    private UsageRollup Rollup => App.Services.GetRequiredService<UsageRollup>();

    /// <summary>Expected totals per (application, minute start): status classes, bytes in, bytes out, latency buckets.</summary>
    private sealed class Expected
    {
        public Dictionary<(string App, DateTimeOffset Minute), (long[] Status, long In, long Out, long[] Latency)> Minutes { get; } = [];

        public void Add(UsageEvent e)
        {
            var minute = new DateTimeOffset(e.Timestamp.Year, e.Timestamp.Month, e.Timestamp.Day, e.Timestamp.Hour, e.Timestamp.Minute, 0, TimeSpan.Zero);
            if (!Minutes.TryGetValue((e.ApplicationId, minute), out var m))
            {
                m = (new long[5], 0, 0, new long[LatencyHistogram.BucketCount]);
            }

            m.Status[e.StatusClassIndex]++;
            m.Latency[LatencyHistogram.BucketOf(e.LatencyMicroseconds)]++;
            Minutes[(e.ApplicationId, minute)] = (m.Status, m.In + e.BytesIn, m.Out + e.BytesOut, m.Latency);
        }
    }

    private static UsageEvent RandomEvent(Random random, DateTimeOffset start, int minutes, string? keyId = null, string? userId = null) =>
        new(Apps[random.Next(Apps.Length)], keyId, random.Next(1, 6) * 100 + random.Next(0, 5), random.Next(0, 5_000), random.Next(0, 50_000),
            (long)Math.Exp(random.NextDouble() * 14), userId, start.AddMilliseconds(random.Next(0, minutes * 60_000)));

    private async Task<Expected> RecordAsync(int count, DateTimeOffset start, int minutes, int seed, Expected? expected = null, int flushEvery = 2_500)
    {
        expected ??= new Expected();
        var random = new Random(seed);
        for (var i = 0; i < count; i++)
        {
            var e = RandomEvent(random, start, minutes);
            Assert.True(Meter.Record(e));
            expected.Add(e);
            if ((i + 1) % flushEvery == 0)
            {
                Writer.Drain();
                Assert.True(await Writer.FlushAsync());
            }
        }

        Writer.Drain();
        Assert.True(await Writer.FlushAsync());
        return expected;
    }

    private async Task AssertExactAsync(Expected expected)
    {
        await using var db = App.CreateDbContext();
        var minutes = await db.Set<UsageMinute>().Where(m => Apps.Contains(m.ApplicationId)).ToListAsync();
        Assert.Equal(expected.Minutes.Count, minutes.Count);
        foreach (var row in minutes)
        {
            var (status, bytesIn, bytesOut, latency) = expected.Minutes[(row.ApplicationId, row.Start)];
            Assert.Equal(status, new[] { row.Requests1xx, row.Requests2xx, row.Requests3xx, row.Requests4xx, row.Requests5xx });
            Assert.Equal(bytesIn, row.BytesIn);
            Assert.Equal(bytesOut, row.BytesOut);
            Assert.Equal(latency, row.Latency);
        }

        // The hour and day rows hold the same totals.
        var total = expected.Minutes.Values.Sum(m => m.Status.Sum());
        Assert.Equal(total, (await db.Set<UsageHour>().ToListAsync()).Sum(h => h.Requests));
        Assert.Equal(total, (await db.Set<UsageDay>().ToListAsync()).Sum(d => d.Requests));
        Assert.Equal(expected.Minutes.Values.Sum(m => m.In), await db.Set<UsageDay>().SumAsync(d => d.BytesIn));
    }

    private DateTimeOffset MinuteAgo(int minutes)
    {
        var now = App.Clock.GetUtcNow();
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(-minutes);
    }

    [Fact]
    public async Task TenThousandEvents_AcrossApplications_AreCountedExactly_AndTheRedisBucketsGo()
    {
        var expected = await RecordAsync(10_000, MinuteAgo(5), 4, seed: 1);

        var result = await Rollup.RunAsync(TestContext.Current.CancellationToken);

        Assert.Equal(expected.Minutes.Count, result.Applied);
        await AssertExactAsync(expected);
        var redis = App.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var keys = new MeteringKeys(App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MeteringOptions>>().Value.RedisKeyPrefix);
        Assert.Equal(0, await redis.SetLengthAsync(keys.OpenSet));
        Assert.Equal(0, await redis.SetLengthAsync(keys.ClaimedSet));
    }

    [Fact]
    public async Task CurrentMinute_IsLeftOpen_UntilItCloses()
    {
        var expected = await RecordAsync(500, MinuteAgo(0), 1, seed: 2);

        Assert.Equal(0, (await Rollup.RunAsync(TestContext.Current.CancellationToken)).Applied);
        App.Clock.Advance(TimeSpan.FromMinutes(1));
        await Rollup.RunAsync(TestContext.Current.CancellationToken);

        await AssertExactAsync(expected);
    }

    [Fact]
    public async Task RollupTwice_AndCrashedHalfWay_StillCountsExactly()
    {
        var expected = await RecordAsync(10_000, MinuteAgo(6), 5, seed: 3);
        var ct = TestContext.Current.CancellationToken;

        // Crash right after claiming: nothing in PostgreSQL yet, the claims wait in Redis.
        Rollup.Step = step => { if (step == "claimed") { throw new InvalidOperationException("crash"); } };
        await Assert.ThrowsAsync<InvalidOperationException>(() => Rollup.RunAsync(ct));

        // Crash after the third claim's commit, before its Redis key is deleted.
        var commits = 0;
        Rollup.Step = step => { if (step.StartsWith("committed:", StringComparison.Ordinal) && ++commits == 3) { throw new InvalidOperationException("crash"); } };
        await Assert.ThrowsAsync<InvalidOperationException>(() => Rollup.RunAsync(ct));

        Rollup.Step = null;
        var resumed = await Rollup.RunAsync(ct);
        Assert.Equal(1, resumed.AlreadyApplied);
        await AssertExactAsync(expected);

        // Again: nothing left to add.
        Assert.Equal(0, (await Rollup.RunAsync(ct)).Applied);
        await AssertExactAsync(expected);

        // Late events for minutes already rolled up (a writer catching up) are added, not lost and not overwriting.
        await RecordAsync(1_000, MinuteAgo(6), 5, seed: 4, expected);
        await Rollup.RunAsync(ct);
        await Rollup.RunAsync(ct);
        await AssertExactAsync(expected);
    }

    [Fact]
    public async Task MonthlyActiveUsers_AreEstimatedWithinTheirBounds()
    {
        var ct = TestContext.Current.CancellationToken;
        var now = App.Clock.GetUtcNow();
        for (var i = 0; i < 120_000; i++)
        {
            // 50,000 distinct users on the first application (most seen more than once), 100 on the second.
            Assert.True(Meter.Record(new UsageEvent(Apps[0], null, 200, 10, 10, 1_000, $"user_{i % 50_000}", now)));
            if (i < 1_000)
            {
                Assert.True(Meter.Record(new UsageEvent(Apps[1], null, 200, 10, 10, 1_000, $"user_{i % 100}", now)));
            }

            if (i % 20_000 == 0)
            {
                Writer.Drain();
                Assert.True(await Writer.FlushAsync());
            }
        }

        Writer.Drain();
        Assert.True(await Writer.FlushAsync());
        await Rollup.RunAsync(ct);

        await using var db = App.CreateDbContext();
        var month = new DateOnly(now.Year, now.Month, 1);
        var large = await db.Set<UsageMonthlyActiveUsers>().SingleAsync(m => m.ApplicationId == Apps[0] && m.Month == month, ct);
        var small = await db.Set<UsageMonthlyActiveUsers>().SingleAsync(m => m.ApplicationId == Apps[1] && m.Month == month, ct);
        Assert.InRange(large.Users, 49_000, 51_000);
        Assert.InRange(small.Users, 99, 101);

        // Kept 60 days.
        var redis = App.Services.GetRequiredService<IConnectionMultiplexer>().GetDatabase();
        var keys = new MeteringKeys(App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<MeteringOptions>>().Value.RedisKeyPrefix);
        var ttl = await redis.KeyTimeToLiveAsync(keys.Mau(Apps[0], now.Year, now.Month));
        Assert.InRange(ttl!.Value, TimeSpan.FromDays(59), TimeSpan.FromDays(60));
    }

    [Fact]
    public async Task KeyLastUsedTimes_ReachTheKeys()
    {
        var ct = TestContext.Current.CancellationToken;
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "Storefront",
            Slug = "storefront",
            Environment = ApplicationEnvironment.Production,
            Region = "us-east-1",
            CreatedAt = App.Clock.GetUtcNow(),
        };
        var key = new ApiKey { ApplicationId = application.Id, Name = "server", DisplayPrefix = "sk_live_x", Hash = new byte[32] };
        await using (var db = App.CreateDbContext())
        {
            db.AddRange(application, key);
            await db.SaveChangesAsync(ct);
        }

        var used = MinuteAgo(2).AddSeconds(17);
        Meter.Record(new UsageEvent(application.Id, key.Id, 200, 1, 1, 500, null, used.AddSeconds(-5)));
        Meter.Record(new UsageEvent(application.Id, key.Id, 200, 1, 1, 500, null, used));
        Writer.Drain();
        Assert.True(await Writer.FlushAsync());
        await Rollup.RunAsync(ct);

        await using (var db = App.CreateDbContext())
        {
            Assert.Equal(used, (await db.Set<ApiKey>().SingleAsync(k => k.Id == key.Id, ct)).LastUsedAt);
        }

        // An older time reported later does not move it back.
        Meter.Record(new UsageEvent(application.Id, key.Id, 200, 1, 1, 500, null, used.AddMinutes(-1)));
        Writer.Drain();
        Assert.True(await Writer.FlushAsync());
        await Rollup.RunAsync(ct);
        await using (var db = App.CreateDbContext())
        {
            Assert.Equal(used, (await db.Set<ApiKey>().SingleAsync(k => k.Id == key.Id, ct)).LastUsedAt);
        }
    }

    [Fact]
    public void LatencyHistogram_Percentiles_AreWithinTenPercent()
    {
        var random = new Random(5);
        var latencies = Enumerable.Range(0, 100_000).Select(_ => (long)Math.Exp(5 + (random.NextDouble() * 10))).Order().ToArray();
        var buckets = new long[LatencyHistogram.BucketCount];
        foreach (var latency in latencies)
        {
            buckets[LatencyHistogram.BucketOf(latency)]++;
        }

        foreach (var q in new[] { 0.5, 0.95, 0.99 })
        {
            var exact = latencies[(int)Math.Ceiling(q * latencies.Length) - 1];
            var estimate = LatencyHistogram.Percentile(buckets, q)!.Value;
            Assert.InRange(estimate, exact, exact * 1.2);
        }
    }
}

/// <summary>A full channel drops and counts; a Redis outage buffers, throws nothing, and catches up.</summary>
public sealed class MeteringOutageTests(TestServers servers) : IAsyncLifetime
{
    private readonly RedisServer _redis = new();
    private PortalApp _app = default!;

    public async ValueTask InitializeAsync()
    {
        await _redis.InitializeAsync();
        _app = await PortalApp.CreateAsync(servers, new Dictionary<string, string?> { ["Metering:ChannelCapacity"] = "1000" }, _redis);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact]
    public void FullChannel_DropsAndCounts_WithoutWaiting()
    {
        var meter = _app.Services.GetRequiredService<UsageMeter>();
        var now = _app.Clock.GetUtcNow();
        var accepted = Enumerable.Range(0, 1_500).Count(_ => meter.Record(new UsageEvent("app_full", null, 200, 1, 1, 100, null, now)));

        Assert.Equal(1_000, accepted);
        Assert.Equal(500, meter.Dropped);
    }

    [Fact]
    public async Task RedisStopped_WhileEventsArrive_NothingThrows_AndCountsCatchUp()
    {
        var ct = TestContext.Current.CancellationToken;
        var meter = _app.Services.GetRequiredService<UsageMeter>();
        var writer = _app.Services.GetRequiredService<UsageWriter>();
        var rollup = _app.Services.GetRequiredService<UsageRollup>();
        var redis = _app.Services.GetRequiredService<IConnectionMultiplexer>();
        var start = _app.Clock.GetUtcNow().AddMinutes(-5);

        async Task RecordAsync(int count, bool redisUp)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(meter.Record(new UsageEvent("app_outage", null, 200 + (i % 3 * 100), 10, 20, 1_000, null, start.AddSeconds(i % 240))));
                if (i % 500 == 499)
                {
                    writer.Drain();
                    Assert.Equal(redisUp, await writer.FlushAsync());
                }
            }
        }

        await RecordAsync(2_000, redisUp: true);
        await rollup.RunAsync(ct);

        await _redis.StopAsync();
        await RecordAsync(3_000, redisUp: false);
        Assert.Equal(3_000, writer.BufferedEvents);

        await _redis.StartAsync();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!redis.IsConnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, ct);
        }

        writer.Drain();
        Assert.True(await writer.FlushAsync());
        Assert.Equal(0, writer.BufferedEvents);
        await rollup.RunAsync(ct);

        await using var db = _app.CreateDbContext();
        var rows = await db.Set<UsageMinute>().Where(m => m.ApplicationId == "app_outage").ToListAsync(ct);
        Assert.Equal(5_000, rows.Sum(r => r.Requests));
        Assert.Equal(50_000, rows.Sum(r => r.BytesIn));
        Assert.Equal(0, meter.Dropped);
    }
}
