using Hangfire;
using Portal.Core.Provisioning;

namespace Portal.Jobs.Provisioning;

/// <summary>Hourly: tears down the applications deleted longer ago than their restore window.</summary>
public sealed class TeardownDeletedApplicationsJob(TeardownApplication teardown)
{
    public const string RecurringId = "applications:teardown-deleted";

    [Queue(JobQueues.Low)]
    [AutomaticRetry(Attempts = 3)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => teardown.ExecuteExpiredAsync(cancellationToken);
}
