using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core.Applications;

namespace Portal.Core.Provisioning;

/// <summary>
/// Queues again the work of applications left waiting with no job to move them on: <c>provisioning</c> with no step
/// started for <see cref="ProvisioningOptions.StalledAfter"/> (the enqueue after CreateApplication's commit was lost,
/// or Hangfire gave the job up), and <c>restarting</c> for as long (a lost roll). An application whose lock is held is
/// being worked on and left alone; a job queued twice is harmless (it takes the lock, and finds nothing left to do).
/// </summary>
public sealed partial class ResumeStalledWork(
    IDbContextFactory<PortalDbContext> dbFactory,
    NpgsqlDataSource dataSource,
    IProvisioningQueue provisioning,
    IInstanceRollQueue rolls,
    TimeProvider clock,
    IOptions<ProvisioningOptions> options,
    ILogger<ResumeStalledWork> logger)
{
    /// <summary>Returns the applications queued again.</summary>
    public async Task<IReadOnlyList<string>> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        var before = clock.GetUtcNow() - options.Value.StalledAfter;
        List<(string Id, ApplicationStatus Status)> stalled;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var rows = await db.Set<Application>()
                .Where(a => a.DeletedAt == null && (a.Status == ApplicationStatus.Provisioning || a.Status == ApplicationStatus.Restarting))
                .Where(a => (a.RestartedAt ?? a.CreatedAt) < before)
                .Where(a => !db.Set<ProvisioningRun>().Any(r => r.ApplicationId == a.Id
                    && r.Steps.Any(s => s.StartedAt >= before || s.FinishedAt >= before)))
                .OrderBy(a => a.Id)
                .Select(a => new { a.Id, a.Status })
                .ToListAsync(cancellationToken);
            stalled = rows.Select(r => (r.Id, r.Status)).ToList();
        }

        var queued = new List<string>();
        foreach (var (id, status) in stalled)
        {
            await using (var held = await ApplicationLock.TryAcquireAsync(dataSource, id, cancellationToken))
            {
                if (held is null)
                {
                    continue;
                }
            }

            if (status == ApplicationStatus.Provisioning)
            {
                provisioning.Enqueue(id);
            }
            else
            {
                rolls.EnqueueRoll(id);
            }

            LogQueuedAgain(logger, id, status);
            queued.Add(id);
        }

        return queued;
    }

    [LoggerMessage(LogLevel.Warning, "Application {ApplicationId} was left {Status} with nothing running: its work is queued again")]
    private static partial void LogQueuedAgain(ILogger logger, string applicationId, ApplicationStatus status);
}
