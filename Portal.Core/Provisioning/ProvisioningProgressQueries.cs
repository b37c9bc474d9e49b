using Microsoft.EntityFrameworkCore;
using Portal.Core.Applications;
using Portal.Core.Workspaces;

namespace Portal.Core.Provisioning;

/// <summary>Provisioning progress for the application page, with an estimate of the time left drawn from the region's recent runs.</summary>
public sealed class ProvisioningProgressQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>How many recent successful attempts of a step, per region, its typical duration is the median of.</summary>
    public const int HistorySize = 50;

    /// <summary>The application's latest run (or, before the first run, its steps all pending), for a member of its workspace.</summary>
    public async Task<Outcome<ProvisioningProgress>> GetAsync(string? userId, string applicationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, userId, applicationId, WorkspacePermission.View, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var run = await db.Set<ProvisioningRun>().AsNoTracking().Include(r => r.Steps)
            .Where(r => r.ApplicationId == applicationId)
            // As ProvisionApplication picks its current run: the steps' identity column orders runs made within one clock tick.
            .OrderByDescending(r => r.Steps.Max(s => s.Id))
            .FirstOrDefaultAsync(cancellationToken);
        var typical = await TypicalDurationsAsync(db, found.Value.Region, cancellationToken);
        return Describe(run, typical, clock.GetUtcNow());
    }

    /// <summary>
    /// The median duration of each step's last <see cref="HistorySize"/> successful attempts in the region, or the
    /// step's default where the region has no history yet.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, TimeSpan>> TypicalDurationsAsync(string region, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await TypicalDurationsAsync(db, region, cancellationToken);
    }

    private static async Task<IReadOnlyDictionary<string, TimeSpan>> TypicalDurationsAsync(PortalDbContext db, string region, CancellationToken cancellationToken)
    {
        var succeeded = nameof(ProvisioningStepStatus.Succeeded);
        var medians = await db.Database.SqlQuery<StepMedian>($"""
            SELECT recent."Name", percentile_cont(0.5) WITHIN GROUP (ORDER BY recent."Seconds") AS "Seconds"
            FROM (
                SELECT s."Name",
                       EXTRACT(EPOCH FROM s."FinishedAt" - s."StartedAt")::double precision AS "Seconds",
                       row_number() OVER (PARTITION BY s."Name" ORDER BY s."FinishedAt" DESC) AS "Recency"
                FROM "ProvisioningSteps" s
                JOIN "ProvisioningRuns" r ON r."Id" = s."RunId"
                JOIN "Applications" a ON a."Id" = r."ApplicationId"
                WHERE a."Region" = {region} AND s."Status" = {succeeded} AND s."StartedAt" IS NOT NULL AND s."FinishedAt" IS NOT NULL
            ) recent
            WHERE recent."Recency" <= {HistorySize}
            GROUP BY recent."Name"
            """).ToListAsync(cancellationToken);
        var durations = ProvisioningSteps.All.ToDictionary(s => s, ProvisioningStepGuide.DefaultDuration, StringComparer.Ordinal);
        foreach (var median in medians)
        {
            durations[median.Name] = TimeSpan.FromSeconds(Math.Max(0, median.Seconds));
        }

        return durations;
    }

    /// <summary>Percent done (steps succeeded) and the time left: the typical duration of every step still to run, less what the running one has used.</summary>
    public static ProvisioningProgress Describe(ProvisioningRun? run, IReadOnlyDictionary<string, TimeSpan> typical, DateTimeOffset now)
    {
        TimeSpan Typical(string step) => typical.TryGetValue(step, out var duration) ? duration : ProvisioningStepGuide.DefaultDuration(step);

        var steps = run is null
            ? ProvisioningSteps.All.Select(name => new ProvisioningStepProgress(
                name, ProvisioningStepGuide.Label(name), ProvisioningStepStatus.Pending, 0, null, null, null, null, null, Typical(name))).ToList()
            : run.Steps.OrderBy(s => s.Order).Select(s => new ProvisioningStepProgress(
                s.Name,
                ProvisioningStepGuide.Label(s.Name),
                s.Status,
                s.Attempts,
                s.StartedAt,
                s.FinishedAt,
                s.StartedAt is { } started ? (s.FinishedAt ?? now) - started : null,
                s.Error,
                s.Error is null ? null : ProvisioningStepGuide.Hint(s.Name),
                Typical(s.Name))).ToList();
        var status = run?.Status ?? ProvisioningRunStatus.Pending;
        var percent = steps.Count == 0 ? 0 : steps.Count(s => s.Status == ProvisioningStepStatus.Succeeded) * 100 / steps.Count;
        TimeSpan? left = null;
        if (status is ProvisioningRunStatus.Pending or ProvisioningRunStatus.Running)
        {
            left = TimeSpan.Zero;
            foreach (var step in steps.Where(s => s.Status != ProvisioningStepStatus.Succeeded))
            {
                var used = step.Status == ProvisioningStepStatus.Running && step.Duration is { } elapsed ? elapsed : TimeSpan.Zero;
                left += used < step.Typical ? step.Typical - used : TimeSpan.Zero;
            }
        }

        return new ProvisioningProgress(run?.Id, status, run?.StartedAt, run?.FinishedAt, run?.Error, steps, percent, left);
    }

    private sealed record StepMedian(string Name, double Seconds);
}
