using Hangfire;
using Portal.Core.Provisioning;

namespace Portal.Jobs.Provisioning;

/// <summary>
/// Every 5 minutes: queues again the work of applications left waiting with no job, then puts back what was changed
/// or deleted in active applications' instances.
/// </summary>
public sealed class ReconcileDriftJob(ResumeStalledWork stalled, ReconcileDrift reconcile)
{
    public const string RecurringId = "provisioning-drift";

    public const string Schedule = "*/5 * * * *";

    // The next run comes in 5 minutes; two at once skip each other's applications through the provisioning lock.
    [Queue(JobQueues.Default)]
    [AutomaticRetry(Attempts = 0)]
    public async Task<int> RunAsync(CancellationToken cancellationToken)
    {
        await stalled.ExecuteAsync(cancellationToken);
        return await reconcile.ExecuteAsync(cancellationToken);
    }
}
