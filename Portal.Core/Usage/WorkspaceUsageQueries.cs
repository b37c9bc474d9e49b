using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Applications;
using Portal.Core.Workspaces;

namespace Portal.Core.Usage;

/// <summary>
/// A workspace's usage in a calendar month (UTC) per application, from the per-day rows (current to the last rollup,
/// a minute at most), the month's MAU estimates and the latest storage samples, against the plan's included amounts.
/// Applications deleted since still appear when they had usage in the month: billing needs them.
/// </summary>
public sealed partial class WorkspaceUsageQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, IOptions<UsageOptions> options)
{
    public async Task<Outcome<WorkspaceUsage>> GetAsync(string? userId, string workspaceId, string? period = null, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, userId, workspaceId, WorkspacePermission.View, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var now = clock.GetUtcNow();
        var month = ParseMonth(period, now);
        if (!month.Succeeded)
        {
            return month.Failure;
        }

        var monthStart = month.Value;
        var from = new DateTimeOffset(monthStart.Year, monthStart.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var to = from.AddMonths(1);
        var plan = await db.Set<Workspace>().Where(w => w.Id == workspaceId).Select(w => w.Plan).SingleAsync(cancellationToken);

        var days = db.Set<UsageDay>().Where(d => d.Start >= from && d.Start < to);
        var users = db.Set<UsageMonthlyActiveUsers>().Where(m => m.Month == monthStart);
        var samples = db.Set<UsageStorageSample>().Where(s => s.MeasuredAt >= from && s.MeasuredAt < to);
        var applications = await db.Set<Application>().AsNoTracking()
            .Where(a => a.WorkspaceId == workspaceId && a.CreatedAt < to)
            .Where(a => (a.Status != ApplicationStatus.Deleted && (a.DeletedAt == null || a.DeletedAt >= from))
                        || days.Any(d => d.ApplicationId == a.Id) || users.Any(m => m.ApplicationId == a.Id) || samples.Any(s => s.ApplicationId == a.Id))
            .OrderBy(a => a.Name).ThenBy(a => a.Id)
            .Select(a => new { a.Id, a.Name, a.Status })
            .ToListAsync(cancellationToken);
        var ids = applications.Select(a => a.Id).ToList();

        var traffic = await days.Where(d => ids.Contains(d.ApplicationId))
            .GroupBy(d => d.ApplicationId)
            .Select(g => new
            {
                ApplicationId = g.Key,
                Requests = g.Sum(d => d.Requests1xx + d.Requests2xx + d.Requests3xx + d.Requests4xx + d.Requests5xx),
                BytesIn = g.Sum(d => d.BytesIn),
                BytesOut = g.Sum(d => d.BytesOut),
            })
            .ToDictionaryAsync(t => t.ApplicationId, cancellationToken);
        var mau = await users.Where(m => ids.Contains(m.ApplicationId)).ToDictionaryAsync(m => m.ApplicationId, m => m.Users, cancellationToken);
        var storage = await samples.Where(s => ids.Contains(s.ApplicationId))
            .GroupBy(s => s.ApplicationId)
            .Select(g => new { ApplicationId = g.Key, Bytes = g.OrderByDescending(s => s.MeasuredAt).Select(s => s.Bytes).First() })
            .ToDictionaryAsync(s => s.ApplicationId, s => s.Bytes, cancellationToken);

        var rows = applications.Select(a =>
        {
            var t = traffic.GetValueOrDefault(a.Id);
            return new ApplicationUsage(a.Id, a.Name, a.Status, mau.GetValueOrDefault(a.Id), t?.Requests ?? 0, storage.GetValueOrDefault(a.Id),
                t?.BytesIn ?? 0, t?.BytesOut ?? 0);
        }).ToList();
        var totals = new UsageTotals(
            rows.Sum(r => r.MonthlyActiveUsers), rows.Sum(r => r.Requests), rows.Sum(r => r.StorageBytes), rows.Sum(r => r.BytesIn), rows.Sum(r => r.BytesOut));
        var included = options.Value.For(plan);
        return new WorkspaceUsage(
            workspaceId, monthStart.ToString("yyyy-MM", CultureInfo.InvariantCulture), plan, from, to, rows, totals,
            new PlanUsage(
                IncludedAmount.Of(totals.MonthlyActiveUsers, included.MonthlyActiveUsers),
                IncludedAmount.Of(totals.Requests, included.Requests),
                IncludedAmount.Of(totals.StorageBytes, included.StorageBytes),
                IncludedAmount.Of(totals.BandwidthBytes, included.BandwidthBytes)));
    }

    /// <summary>The first day of the month <paramref name="period"/> names (<c>YYYY-MM</c>), the current month when absent; not a future one.</summary>
    public static Outcome<DateOnly> ParseMonth(string? period, DateTimeOffset now)
    {
        var current = new DateOnly(now.UtcDateTime.Year, now.UtcDateTime.Month, 1);
        if (string.IsNullOrEmpty(period))
        {
            return current;
        }

        if (!MonthPattern().IsMatch(period))
        {
            return Failure.Invalid("period", "period is a month, YYYY-MM (for example 2026-01).");
        }

        var month = new DateOnly(int.Parse(period.AsSpan(0, 4), CultureInfo.InvariantCulture), int.Parse(period.AsSpan(5, 2), CultureInfo.InvariantCulture), 1);
        return month > current ? Failure.Invalid("period", $"period {period} is in the future.") : month;
    }

    [GeneratedRegex("^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])$", RegexOptions.CultureInvariant)]
    private static partial Regex MonthPattern();
}
