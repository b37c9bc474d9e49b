using Hangfire;
using Portal.Core.Webhooks;

namespace Portal.Jobs.Webhooks;

/// <summary>
/// One attempt of a webhook delivery. HTTP failures are outcomes (recorded, retried on our own schedule); an exception
/// (the database went away) lets Hangfire run the job again, and the delivery's claim keeps attempts single.
/// </summary>
public sealed class DeliverWebhookJob(DeliverWebhook deliver)
{
    [Queue(JobQueues.Default)]
    [AutomaticRetry(Attempts = 3)]
    public Task RunAsync(string deliveryId, CancellationToken cancellationToken) => deliver.ExecuteAsync(deliveryId, cancellationToken);
}
