namespace Portal.Core.Webhooks;

/// <summary>Hands deliveries to the job queue (Hangfire in Portal.Jobs).</summary>
public interface IWebhookQueue
{
    void Enqueue(string deliveryId);

    void Schedule(string deliveryId, DateTimeOffset at);
}
