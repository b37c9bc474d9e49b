namespace Portal.Core.Webhooks;

public enum WebhookDeliveryStatus
{
    /// <summary>Not yet answered with a 2xx; <see cref="WebhookDelivery.NextAttemptAt"/> says when it is tried next.</summary>
    Pending,

    Succeeded,

    /// <summary>Retried for the whole retry window without success, or refused (private destination).</summary>
    Failed,
}
