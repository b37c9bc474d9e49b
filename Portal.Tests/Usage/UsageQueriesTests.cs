using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Applications;
using Portal.Core.Changes;
using Portal.Core.Usage;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;
using StackExchange.Redis;
using static Portal.Tests.Infrastructure.ControlApiSteps;
using static Portal.Tests.Usage.UsageSeed;

namespace Portal.Tests.Usage;

/// <summary>The metrics and usage queries on seeded usage rows (real PostgreSQL) and open buckets (real Redis).</summary>
public sealed class UsageQueriesTests(TestServers servers) : PortalTest(servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static double Ms(int bucket) => Math.Round(LatencyHistogram.UpperBoundMicroseconds(bucket) / 1000, 3);

    private async Task<(TestUser User, string WorkspaceId)> MemberAsync(WorkspacePlan plan = WorkspacePlan.Free)
    {
        var user = await CreateUserAsync(App);
        return (user, await CreateWorkspaceAsync(App, user, plan));
    }

    private Task<T> RunAsync<T>(Func<IServiceProvider, Task<T>> action) => WorkspaceSteps.RunAsync(App, action);

    [Fact]
    public async Task Metrics_SumIntervals_ZeroFill_MergeHistograms_AndAddTheOpenMinute_WithoutClaimingIt()
    {
        var now = new DateTimeOffset(2027, 3, 15, 10, 7, 30, TimeSpan.Zero);
        App.Clock.SetUtcNow(now);
        var (user, workspaceId) = await MemberAsync();
        var app = Application(workspaceId, "Shop", now.AddDays(-10));
        var other = Application(workspaceId, "Other", now.AddDays(-10));
        await AddAsync(App.DatabaseConnectionString, app, other,
            Minute(app.Id, At(9, 12), ok: 10, e4: 2, e5: 1, bytesIn: 100, bytesOut: 1000, latency: Latency((20, 13))),
            Minute(app.Id, At(9, 14), ok: 5, bytesIn: 50, bytesOut: 500, latency: Latency((30, 5))),
            // Before the period's first interval, and another application: not counted.
            Minute(app.Id, At(9, 9), ok: 1000),
            Minute(other.Id, At(9, 12), ok: 999),
            Minute(app.Id, At(10, 5), ok: 1, latency: Latency((40, 1))),
            new UsageMonthlyActiveUsers { ApplicationId = app.Id, Month = new DateOnly(2027, 3, 1), Users = 42, MeasuredAt = now });
        var redis = App.Services.GetRequiredService<IConnectionMultiplexer>();
        var keys = Keys(App.Services);
        await OpenBucketAsync(redis, keys, app.Id, At(10, 7), ("s2", 3), ("s5", 1), ("bi", 7), ("bo", 70), ("h50", 4));

        var found = await RunAsync(sp => sp.GetRequiredService<ApplicationMetricsQueries>().GetAsync(user.Id, app.Id, "1h", "5m", Ct));

        Assert.True(found.Succeeded, found.Failure?.Message);
        var m = found.Value;
        Assert.Equal(("1h", "5m", At(9, 10), At(10, 10)), (m.Period, m.Interval, m.From, m.To));
        Assert.Equal(12, m.Series.Count);
        Assert.Equal(Enumerable.Range(0, 12).Select(i => At(9, 10).AddMinutes(5 * i)), m.Series.Select(p => p.Timestamp));
        var first = m.Series[0];
        Assert.Equal((18L, 2L, 1L, 150L, 1500L), (first.Requests, first.Errors4xx, first.Errors5xx, first.BytesIn, first.BytesOut));
        Assert.Equal(Math.Round(3.0 / 18, 4), first.ErrorRate);
        Assert.Equal(new LatencyPercentiles(Ms(20), Ms(30), Ms(30)), first.LatencyMs);
        Assert.All(m.Series.Skip(1).Take(10), p =>
        {
            Assert.Equal((0L, 0L, 0L, 0L, 0L, 0.0), (p.Requests, p.Errors4xx, p.Errors5xx, p.BytesIn, p.BytesOut, p.ErrorRate));
            Assert.Equal(LatencyPercentiles.None, p.LatencyMs);
        });
        var last = m.Series[11];
        Assert.Equal((5L, 0L, 1L, 7L, 70L), (last.Requests, last.Errors4xx, last.Errors5xx, last.BytesIn, last.BytesOut));
        Assert.Equal(new LatencyPercentiles(Ms(50), Ms(50), Ms(50)), last.LatencyMs);
        Assert.Equal(new MetricsTotals(23, 2, 2, Math.Round(4.0 / 23, 4), new LatencyPercentiles(Ms(20), Ms(50), Ms(50)), 157, 1570), m.Totals);
        Assert.Equal(new ActiveUsers("2027-03", 42, 10_000), m.ActiveUsers);
        // Read only: the bucket is still open for the rollup.
        Assert.True(await redis.GetDatabase().KeyExistsAsync(keys.Bucket(app.Id, At(10, 7).ToUnixTimeSeconds() / 60)));
        Assert.True(await redis.GetDatabase().SetContainsAsync(keys.OpenSet, keys.Bucket(app.Id, At(10, 7).ToUnixTimeSeconds() / 60)));

        static DateTimeOffset At(int hour, int minute) => new(2027, 3, 15, hour, minute, 0, TimeSpan.Zero);
    }

    [Fact]
    public async Task Metrics_ReadTheTableOfTheInterval_AndDefaultTheIntervalFromThePeriod()
    {
        var now = new DateTimeOffset(2027, 3, 15, 10, 7, 30, TimeSpan.Zero);
        App.Clock.SetUtcNow(now);
        var (user, workspaceId) = await MemberAsync(WorkspacePlan.Pro);
        var app = Application(workspaceId, "Shop", now.AddDays(-40));
        await AddAsync(App.DatabaseConnectionString, app,
            Minute(app.Id, new DateTimeOffset(2027, 3, 15, 8, 30, 0, TimeSpan.Zero), ok: 700),
            Hour(app.Id, new DateTimeOffset(2027, 3, 15, 8, 0, 0, TimeSpan.Zero), ok: 7),
            UsageSeed.Day(app.Id, new DateTimeOffset(2027, 3, 14, 0, 0, 0, TimeSpan.Zero), ok: 70),
            new UsageStorageSample { ApplicationId = app.Id, MeasuredAt = now.AddHours(-2), Bytes = 1 },
            new UsageStorageSample { ApplicationId = app.Id, MeasuredAt = now.AddHours(-1), Bytes = 12_345 });

        async Task<ApplicationMetrics> GetAsync(string? period, string? interval)
        {
            var found = await RunAsync(sp => sp.GetRequiredService<ApplicationMetricsQueries>().GetAsync(user.Id, app.Id, period, interval, Ct));
            Assert.True(found.Succeeded, found.Failure?.Message);
            return found.Value;
        }

        var byDefault = await GetAsync(null, null);
        var week = await GetAsync("7d", null);
        var month = await GetAsync("30d", null);
        var monthByHour = await GetAsync("30d", "1h");

        Assert.Equal(("24h", "5m", 288, 700L), (byDefault.Period, byDefault.Interval, byDefault.Series.Count, byDefault.Totals.Requests));
        Assert.Equal(("7d", "1h", 168, 7L), (week.Period, week.Interval, week.Series.Count, week.Totals.Requests));
        Assert.Equal(("30d", "1d", 30, 70L), (month.Period, month.Interval, month.Series.Count, month.Totals.Requests));
        Assert.Equal(new DateTimeOffset(2027, 3, 16, 0, 0, 0, TimeSpan.Zero), month.To);
        Assert.Equal(70L, month.Series[28].Requests);
        Assert.Equal((720, 7L), (monthByHour.Series.Count, monthByHour.Totals.Requests));
        // The pro plan includes 10,000 MAU too; the latest storage sample is shown.
        Assert.Equal(new ActiveUsers("2027-03", 0, 10_000), byDefault.ActiveUsers);
        Assert.Equal(new StorageSize(12_345, now.AddHours(-1)), byDefault.Storage);
    }

    [Fact]
    public async Task Rollup_PublishesTheApplicationsWhoseMinutesItAdded()
    {
        var redis = App.Services.GetRequiredService<IConnectionMultiplexer>();
        var applicationId = $"app_{Guid.NewGuid():N}"[..16];
        var published = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var changes = App.Services.GetRequiredService<ChangeChannel>();
        using var subscription = changes.Subscribe(ChangeTopic.Usage, id =>
        {
            if (id == applicationId)
            {
                published.TrySetResult();
            }
        });
        await changes.Listening.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await OpenBucketAsync(redis, Keys(App.Services), applicationId, App.Clock.GetUtcNow().AddMinutes(-2), ("s2", 1), ("h3", 1));

        await App.Services.GetRequiredService<UsageRollup>().RunAsync(Ct);

        await published.Task.WaitAsync(TimeSpan.FromSeconds(10), Ct);
    }

    [Theory]
    [InlineData("2h", null, "period")]
    [InlineData("", "10m", "interval")]
    [InlineData("1h", "1d", "interval")]
    [InlineData("7d", "1m", "interval")]
    [InlineData("7d", "5m", "interval")]
    [InlineData("30d", "1m", "interval")]
    [InlineData("24H", null, "period")]
    public void Range_RefusesUnknownAndTooFineCombinations_NamingTheParameter(string? period, string? interval, string field)
    {
        var parsed = MetricsRange.Parse(period, interval, TimeSpan.FromHours(48));

        Assert.False(parsed.Succeeded);
        Assert.Equal(field, parsed.Failure.Field);
    }

    [Fact]
    public void Range_OverTheMaximumNumberOfPoints_IsRefused_EvenWhenMinutesAreKeptLonger()
    {
        Assert.True(MetricsRange.Parse("24h", "1m", TimeSpan.FromHours(48)).Succeeded);
        var tooMany = MetricsRange.Parse("7d", "5m", TimeSpan.FromDays(30));

        Assert.False(tooMany.Succeeded);
        Assert.Equal("interval", tooMany.Failure.Field);
        Assert.Contains("2,016 points", tooMany.Failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_OfAnotherWorkspacesApplication_AreNotFound()
    {
        var (_, workspaceId) = await MemberAsync();
        var (stranger, _) = await MemberAsync();
        var app = Application(workspaceId, "Shop", App.Clock.GetUtcNow());
        await AddAsync(App.DatabaseConnectionString, app);

        var found = await RunAsync(sp => sp.GetRequiredService<ApplicationMetricsQueries>().GetAsync(stranger.Id, app.Id, "bogus", null, Ct));

        Assert.Equal(Portal.Core.FailureCode.NotFound, found.Failure?.Code);
    }

    [Fact]
    public async Task Usage_CountsTheMonthOnly_ListsDeletedApplicationsWithUsage_AndMeasuresAgainstThePlan()
    {
        var now = new DateTimeOffset(2027, 4, 10, 12, 0, 0, TimeSpan.Zero);
        App.Clock.SetUtcNow(now);
        var (user, workspaceId) = await MemberAsync();
        var a = Application(workspaceId, "Alpha", new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero));
        var b = Application(workspaceId, "Beta", new DateTimeOffset(2027, 3, 2, 0, 0, 0, TimeSpan.Zero), ApplicationStatus.Deleted);
        var c = Application(workspaceId, "Gamma", new DateTimeOffset(2027, 1, 5, 0, 0, 0, TimeSpan.Zero), ApplicationStatus.Deleted);
        var d = Application(workspaceId, "Delta", new DateTimeOffset(2027, 4, 5, 0, 0, 0, TimeSpan.Zero));
        await AddAsync(App.DatabaseConnectionString, a, b, c, d,
            UsageSeed.Day(a.Id, Day(2, 28), ok: 1000),
            UsageSeed.Day(a.Id, Day(3, 1), ok: 10, bytesIn: 1, bytesOut: 2),
            UsageSeed.Day(a.Id, Day(3, 31), e4: 5, bytesIn: 10, bytesOut: 20),
            UsageSeed.Day(a.Id, Day(4, 1), ok: 9999),
            UsageSeed.Day(b.Id, Day(3, 15), ok: 3, bytesOut: 5),
            UsageSeed.Day(c.Id, Day(2, 10), ok: 3),
            new UsageMonthlyActiveUsers { ApplicationId = a.Id, Month = new DateOnly(2027, 3, 1), Users = 120 },
            new UsageMonthlyActiveUsers { ApplicationId = a.Id, Month = new DateOnly(2027, 4, 1), Users = 999 },
            new UsageMonthlyActiveUsers { ApplicationId = b.Id, Month = new DateOnly(2027, 3, 1), Users = 30 },
            new UsageStorageSample { ApplicationId = a.Id, MeasuredAt = Day(3, 10), Bytes = 100 },
            new UsageStorageSample { ApplicationId = a.Id, MeasuredAt = Day(3, 31).AddHours(23), Bytes = 300 },
            new UsageStorageSample { ApplicationId = a.Id, MeasuredAt = Day(4, 1), Bytes = 9999 });

        var found = await RunAsync(sp => sp.GetRequiredService<WorkspaceUsageQueries>().GetAsync(user.Id, workspaceId, "2027-03", Ct));
        var current = await RunAsync(sp => sp.GetRequiredService<WorkspaceUsageQueries>().GetAsync(user.Id, workspaceId, null, Ct));

        Assert.True(found.Succeeded, found.Failure?.Message);
        var usage = found.Value;
        Assert.Equal(("2027-03", WorkspacePlan.Free, Day(3, 1), Day(4, 1)), (usage.Period, usage.Plan, usage.From, usage.To));
        Assert.Equal(
            [
                new ApplicationUsage(a.Id, "Alpha", ApplicationStatus.Active, 120, 15, 300, 11, 22),
                new ApplicationUsage(b.Id, "Beta", ApplicationStatus.Deleted, 30, 3, 0, 0, 5),
            ],
            usage.Applications);
        Assert.Equal(33, usage.Applications[0].BandwidthBytes);
        Assert.Equal(new UsageTotals(150, 18, 300, 11, 27), usage.Totals);
        Assert.Equal(38, usage.Totals.BandwidthBytes);
        Assert.Equal(new IncludedAmount(150, 10_000, 1.5), usage.Included.MonthlyActiveUsers);
        Assert.Equal(new IncludedAmount(18, 100_000, 0.02), usage.Included.Requests);
        Assert.Equal(new IncludedAmount(300, 5_000_000_000, 0), usage.Included.StorageBytes);
        Assert.Equal(new IncludedAmount(38, 100_000_000_000, 0), usage.Included.BandwidthBytes);

        Assert.True(current.Succeeded, current.Failure?.Message);
        Assert.Equal("2027-04", current.Value.Period);
        Assert.Equal(["Alpha", "Delta"], current.Value.Applications.Select(x => x.Name));
        Assert.Equal((999L, 9999L, 9999L), (current.Value.Totals.MonthlyActiveUsers, current.Value.Totals.Requests, current.Value.Totals.StorageBytes));

        static DateTimeOffset Day(int month, int day) => new(2027, month, day, 0, 0, 0, TimeSpan.Zero);
    }

    [Fact]
    public async Task Usage_OfAProWorkspace_HasNoRequestLimit_AndTheLargerStorage_AndPercentsAboveOneHundred()
    {
        var (user, workspaceId) = await MemberAsync(WorkspacePlan.Pro);
        var now = App.Clock.GetUtcNow();
        var app = Application(workspaceId, "Big", now.AddDays(-1));
        await AddAsync(App.DatabaseConnectionString, app,
            UsageSeed.Day(app.Id, new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero), ok: 250_000),
            new UsageMonthlyActiveUsers { ApplicationId = app.Id, Month = new DateOnly(now.Year, now.Month, 1), Users = 12_500 });

        var found = await RunAsync(sp => sp.GetRequiredService<WorkspaceUsageQueries>().GetAsync(user.Id, workspaceId, null, Ct));

        Assert.True(found.Succeeded, found.Failure?.Message);
        Assert.Equal(new IncludedAmount(250_000, null, null), found.Value.Included.Requests);
        Assert.Equal(20_000_000_000, found.Value.Included.StorageBytes.Included);
        Assert.Equal(new IncludedAmount(12_500, 10_000, 125), found.Value.Included.MonthlyActiveUsers);
    }

    [Theory]
    [InlineData("2027-05")]
    [InlineData("2027-4")]
    [InlineData("2027-13")]
    [InlineData("04-2027")]
    [InlineData("2027-04-01")]
    public async Task Usage_RefusesAMalformedOrFutureMonth(string period)
    {
        App.Clock.SetUtcNow(new DateTimeOffset(2027, 4, 30, 23, 59, 0, TimeSpan.Zero));
        var (user, workspaceId) = await MemberAsync();

        var found = await RunAsync(sp => sp.GetRequiredService<WorkspaceUsageQueries>().GetAsync(user.Id, workspaceId, period, Ct));

        Assert.False(found.Succeeded);
        Assert.Equal(("period", Portal.Core.FailureCode.InvalidRequest), (found.Failure.Field, found.Failure.Code));
    }
}
