using Hangfire;
using Portal.Core.Provisioning;

namespace Portal.Jobs.Provisioning;

/// <summary>
/// One provisioning run. A failed run is an outcome, not an exception (the owner retries it); an exception (worker
/// lost its database) lets Hangfire run it again, which resumes the stored run.
/// </summary>
public sealed class ProvisionApplicationJob(ProvisionApplication provision)
{
    [Queue(JobQueues.Critical)]
    [AutomaticRetry(Attempts = 10)]
    public Task<ProvisioningOutcome> RunAsync(string applicationId, CancellationToken cancellationToken) =>
        provision.ExecuteAsync(applicationId, cancellationToken);
}
