using Hangfire;
using Portal.Core.Webhooks;

namespace Portal.Jobs.Webhooks;

internal sealed class HangfireWebhookQueue(IBackgroundJobClient jobs) : IWebhookQueue
{
    public void Enqueue(string deliveryId) =>
        jobs.Enqueue<DeliverWebhookJob>(job => job.RunAsync(deliveryId, CancellationToken.None));

    public void Schedule(string deliveryId, DateTimeOffset at) =>
        jobs.Schedule<DeliverWebhookJob>(job => job.RunAsync(deliveryId, CancellationToken.None), at);
}
