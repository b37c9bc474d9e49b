using Hangfire;
using Portal.Core.Provisioning;

namespace Portal.Jobs.Provisioning;

/// <summary>
/// One configuration roll or restart. A failed rollout is an outcome (the application is <c>failed</c>); a busy lock
/// (provisioning is running) is an exception, so that Hangfire tries again later.
/// </summary>
public sealed class RollApplicationJob(RollApplication roll)
{
    [Queue(JobQueues.Critical)]
    [AutomaticRetry(Attempts = 10)]
    public async Task<RollOutcome> RunAsync(string applicationId, CancellationToken cancellationToken)
    {
        var outcome = await roll.ExecuteAsync(applicationId, cancellationToken);
        return outcome == RollOutcome.Busy
            ? throw new InvalidOperationException($"Application {applicationId} is being provisioned or torn down; the roll waits for it.")
            : outcome;
    }
}
