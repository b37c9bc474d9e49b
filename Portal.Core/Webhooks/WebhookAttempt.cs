namespace Portal.Core.Webhooks;

/// <summary>One HTTP attempt of a delivery: the answer's status, or why there was none.</summary>
public class WebhookAttempt
{
    public long Id { get; set; }

    public required string DeliveryId { get; set; }

    public DateTimeOffset StartedAt { get; set; }

    public int DurationMs { get; set; }

    /// <summary>The HTTP status of the answer; null when none came (<see cref="Error"/> says why).</summary>
    public int? StatusCode { get; set; }

    public string? Error { get; set; }

    /// <summary>The start of the answer's body, at most <see cref="WebhookSender.ExcerptBytes"/> bytes.</summary>
    public string? ResponseExcerpt { get; set; }

    public bool Succeeded => StatusCode is >= 200 and < 300;
}
