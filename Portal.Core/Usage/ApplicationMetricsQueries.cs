using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Applications;
using Portal.Core.Workspaces;
using StackExchange.Redis;

namespace Portal.Core.Usage;

/// <summary>
/// An application's metrics: the rolled-up rows of the table the interval calls for (minutes, hours or days), summed
/// into intervals with their latency histograms merged, plus the minutes still open in Redis; and its active users this month.
/// </summary>
public sealed partial class ApplicationMetricsQueries(
    IDbContextFactory<PortalDbContext> dbFactory, IConnectionMultiplexer redis, TimeProvider clock, IOptions<MeteringOptions> metering,
    IOptions<UsageOptions> usage, ILogger<ApplicationMetricsQueries> logger)
{
    private readonly MeteringKeys _keys = new(metering.Value.RedisKeyPrefix);

    private sealed record Row(DateTimeOffset Start, long Requests, long Errors4xx, long Errors5xx, long BytesIn, long BytesOut, long[] Latency);

    public async Task<Outcome<ApplicationMetrics>> GetAsync(
        string? userId, string applicationId, string? period = null, string? interval = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Access first: to an outsider the application does not exist, whatever the query string says.
        var found = await ApplicationAccess.RequireAsync(db, userId, applicationId, WorkspacePermission.View, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var parsed = MetricsRange.Parse(period, interval, metering.Value.MinuteRetention);
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        var range = parsed.Value;
        var now = clock.GetUtcNow();
        var step = range.IntervalLength;
        var to = new DateTimeOffset((now.UtcTicks / step.Ticks * step.Ticks) + step.Ticks, TimeSpan.Zero);
        var from = to - range.PeriodLength;

        var rows = range.FromMinutes ? await RowsAsync<UsageMinute>(db, applicationId, from, to, cancellationToken)
            : range.FromHours ? await RowsAsync<UsageHour>(db, applicationId, from, to, cancellationToken)
            : await RowsAsync<UsageDay>(db, applicationId, from, to, cancellationToken);
        var plan = await db.Set<Workspace>().Where(w => w.Id == found.Value.WorkspaceId).Select(w => w.Plan).SingleAsync(cancellationToken);
        var monthStart = new DateOnly(now.Year, now.Month, 1);
        var storedUsers = await db.Set<UsageMonthlyActiveUsers>()
            .Where(m => m.ApplicationId == applicationId && m.Month == monthStart).Select(m => (long?)m.Users).SingleOrDefaultAsync(cancellationToken);
        var storage = await db.Set<UsageStorageSample>().Where(s => s.ApplicationId == applicationId).OrderByDescending(s => s.MeasuredAt)
            .Select(s => new StorageSize(s.Bytes, s.MeasuredAt)).FirstOrDefaultAsync(cancellationToken);

        var points = new UsageAccumulator[range.Points];
        for (var i = 0; i < points.Length; i++)
        {
            points[i] = new UsageAccumulator();
        }

        foreach (var row in rows)
        {
            points[(int)((row.Start - from).Ticks / step.Ticks)].Add(row.Requests, row.Errors4xx, row.Errors5xx, row.BytesIn, row.BytesOut, row.Latency);
        }

        var liveUsers = await AddOpenMinutesAsync(applicationId, points, from, to, step, now);

        var totals = new UsageAccumulator();
        var series = new MetricsPoint[points.Length];
        for (var i = 0; i < points.Length; i++)
        {
            totals.Add(points[i]);
            series[i] = points[i].ToPoint(from + (step * i));
        }

        var included = usage.Value.For(plan).MonthlyActiveUsers;
        var activeUsers = new ActiveUsers(
            monthStart.ToString("yyyy-MM", CultureInfo.InvariantCulture), Math.Max(liveUsers ?? 0, storedUsers ?? 0), included > 0 ? included : null);
        return new ApplicationMetrics(applicationId, range.Period, range.Interval, from, to, totals.ToTotals(), activeUsers, series, storage ?? new StorageSize(0, null));
    }

    private static Task<List<Row>> RowsAsync<T>(PortalDbContext db, string applicationId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
        where T : UsagePeriod =>
        db.Set<T>().AsNoTracking()
            .Where(r => r.ApplicationId == applicationId && r.Start >= from && r.Start < to)
            .Select(r => new Row(r.Start, r.Requests1xx + r.Requests2xx + r.Requests3xx + r.Requests4xx + r.Requests5xx, r.Requests4xx, r.Requests5xx,
                r.BytesIn, r.BytesOut, r.Latency))
            .ToListAsync(cancellationToken);

    /// <summary>Adds the minutes not rolled up yet; returns this month's live MAU estimate. Without Redis, the rolled-up figures stand.</summary>
    private async Task<long?> AddOpenMinutesAsync(string applicationId, UsageAccumulator[] points, DateTimeOffset from, DateTimeOffset to, TimeSpan step, DateTimeOffset now)
    {
        try
        {
            var db = redis.GetDatabase();
            var users = db.HyperLogLogLengthAsync(_keys.Mau(applicationId, now.Year, now.Month));
            foreach (var (minute, counts) in await OpenMinuteBuckets.ReadAsync(db, _keys, applicationId, from, to, now))
            {
                points[(int)((minute - from).Ticks / step.Ticks)].Add(counts);
            }

            return await users;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRedisUnavailable(logger, applicationId, e.Message);
            return null;
        }
    }

    [LoggerMessage(LogLevel.Debug, "Metrics of application {ApplicationId} without the open minutes (Redis unavailable): {Reason}")]
    private static partial void LogRedisUnavailable(ILogger logger, string applicationId, string reason);
}
