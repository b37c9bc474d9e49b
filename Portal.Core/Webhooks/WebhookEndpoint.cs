using Portal.Core.Applications;

namespace Portal.Core.Webhooks;

/// <summary>
/// Where an application's platform events are sent. The signing secret is kept only as a Data Protection payload
/// (<see cref="WebhookSecrets"/>); during a rotation the previous one keeps signing until <see cref="PreviousSecretExpiresAt"/>.
/// </summary>
public class WebhookEndpoint
{
    public string Id { get; set; } = Ids.New("whk");

    public required string ApplicationId { get; set; }

    public Application? Application { get; set; }

    public required string Url { get; set; }

    /// <summary>The subscribed event types, from <see cref="PlatformEventTypes.All"/>.</summary>
    public List<string> Events { get; set; } = [];

    /// <summary>Whether new events create deliveries; deliveries already made still go.</summary>
    public bool Enabled { get; set; } = true;

    public string? Description { get; set; }

    public required string ProtectedSecret { get; set; }

    public string? ProtectedPreviousSecret { get; set; }

    public DateTimeOffset? PreviousSecretExpiresAt { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public string? CreatedByUserId { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }
}
