using Hangfire;
using Portal.Core.Usage;

namespace Portal.Jobs.Usage;

/// <summary>Every minute: closed Redis minute buckets into the usage tables (exactly once, see <see cref="UsageRollup"/>).</summary>
public sealed class RollupUsageJob(UsageRollup rollup)
{
    public const string RecurringId = "usage:rollup";

    [Queue(JobQueues.Default)]
    // Two runs at once would be harmless (claims are exclusive), but one is enough.
    [DisableConcurrentExecution(timeoutInSeconds: 300)]
    [AutomaticRetry(Attempts = 0)]
    public Task RunAsync(CancellationToken cancellationToken) => rollup.RunAsync(cancellationToken);
}
