namespace Portal.Core.Webhooks;

/// <summary>
/// One event for one endpoint: the exact JSON body that is signed and sent (<c>{ "id", "event", "timestamp", "data" }</c>),
/// its state, and its attempts.
/// </summary>
public class WebhookDelivery
{
    public string Id { get; set; } = Ids.New("whd");

    public required string EndpointId { get; set; }

    public WebhookEndpoint? Endpoint { get; set; }

    /// <summary>The event's id (<c>evt_…</c>), the <c>id</c> of the body: the same for every endpoint and every redelivery.</summary>
    public required string EventId { get; set; }

    public required string EventType { get; set; }

    /// <summary>The body, byte for byte as it is signed and sent.</summary>
    public required string Payload { get; set; }

    public WebhookDeliveryStatus Status { get; set; } = WebhookDeliveryStatus.Pending;

    public int AttemptCount { get; set; }

    /// <summary>When the next attempt is due; null once the delivery succeeded or failed.</summary>
    public DateTimeOffset? NextAttemptAt { get; set; }

    /// <summary>When a job was last handed to the queue for the next attempt; null until then (the sweeper's clue).</summary>
    public DateTimeOffset? QueuedAt { get; set; }

    /// <summary>Set while an attempt runs, so that two jobs for one delivery never send at once.</summary>
    public DateTimeOffset? LockedUntil { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? LastAttemptAt { get; set; }

    /// <summary>For a manual redelivery: the delivery it repeats.</summary>
    public string? RedeliveryOf { get; set; }

    public List<WebhookAttempt> Attempts { get; set; } = [];
}
