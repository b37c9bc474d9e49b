using Hangfire;
using Portal.Core.Audit;

namespace Portal.Jobs.Audit;

public sealed class PurgeExpiredAuditEventsJob(PurgeExpiredAuditEvents purge)
{
    public const string RecurringId = "audit:purge-expired";

    [Queue(JobQueues.Low)]
    [AutomaticRetry(Attempts = 3)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => purge.ExecuteAsync(cancellationToken);
}
