namespace Portal.Core.Audit;

/// <summary>One recorded change. Never holds a secret: <see cref="Changes"/> lists only plain, non-secret fields.</summary>
public class AuditEvent
{
    /// <summary>Increasing, so that pages and exports have a stable order among events of the same instant.</summary>
    public long Id { get; set; }

    public DateTimeOffset OccurredAt { get; set; }

    /// <summary>The workspace the event belongs to; null for account-level and platform events.</summary>
    public string? WorkspaceId { get; set; }

    public required string ActorType { get; set; }

    public string? ActorId { get; set; }

    public string? ActorName { get; set; }

    /// <summary>Dotted, past tense: <c>workspace.created</c>, <c>member.role_changed</c>.</summary>
    public required string Action { get; set; }

    public required string TargetType { get; set; }

    public string? TargetId { get; set; }

    /// <summary>Changed fields as <c>{"field": {"before": …, "after": …}}</c>; null when nothing field-like changed.</summary>
    public string? Changes { get; set; }

    public string? IpAddress { get; set; }

    public string? UserAgent { get; set; }

    public string? RequestId { get; set; }
}
