using Hangfire;
using Portal.Core.Provisioning;

namespace Portal.Jobs.Provisioning;

/// <summary>Every 5 minutes: puts back what was changed or deleted in active applications' instances.</summary>
public sealed class ReconcileDriftJob(ReconcileDrift reconcile)
{
    public const string RecurringId = "provisioning-drift";

    public const string Schedule = "*/5 * * * *";

    // The next run comes in 5 minutes; two at once skip each other's applications through the provisioning lock.
    [Queue(JobQueues.Default)]
    [AutomaticRetry(Attempts = 0)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => reconcile.ExecuteAsync(cancellationToken);
}
