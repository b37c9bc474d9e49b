using Hangfire;
using Portal.Core.Provisioning;

namespace Portal.Jobs.Provisioning;

internal sealed class HangfireProvisioningQueue(IBackgroundJobClient jobs) : IProvisioningQueue, IInstanceRollQueue
{
    public void Enqueue(string applicationId) =>
        jobs.Enqueue<ProvisionApplicationJob>(job => job.RunAsync(applicationId, CancellationToken.None));

    public void EnqueueRoll(string applicationId) =>
        jobs.Enqueue<RollApplicationJob>(job => job.RunAsync(applicationId, CancellationToken.None));
}
