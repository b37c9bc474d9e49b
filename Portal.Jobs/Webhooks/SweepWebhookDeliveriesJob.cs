using Hangfire;
using Portal.Core.Webhooks;

namespace Portal.Jobs.Webhooks;

/// <summary>Every minute: queues deliveries that are due but were never queued (or whose job was lost).</summary>
public sealed class SweepWebhookDeliveriesJob(SweepWebhookDeliveries sweep)
{
    public const string RecurringId = "webhooks:sweep-deliveries";

    [Queue(JobQueues.Default)]
    [AutomaticRetry(Attempts = 0)]
    [DisableConcurrentExecution(timeoutInSeconds: 60)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => sweep.ExecuteAsync(cancellationToken);
}
