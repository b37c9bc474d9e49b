using Hangfire;
using Portal.Core.Usage;

namespace Portal.Jobs.Usage;

/// <summary>Every hour: each tenant database's size as a storage sample.</summary>
public sealed class RecordTenantStorageJob(RecordTenantStorage record)
{
    public const string RecurringId = "usage:tenant-storage";

    [Queue(JobQueues.Low)]
    [AutomaticRetry(Attempts = 0)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => record.ExecuteAsync(cancellationToken);
}
