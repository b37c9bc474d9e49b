namespace Portal.Core.Webhooks;

/// <summary>
/// The platform events an endpoint can subscribe to. Every body is <c>{ "id", "event", "timestamp", "data" }</c>;
/// <c>data</c> per event is documented in the README ("Platform webhooks").
/// </summary>
public static class PlatformEventTypes
{
    /// <summary>Provisioning finished: the instance is <c>active</c>. Data: the application (id, name, slug, environment, region).</summary>
    public const string ApplicationProvisioned = "application.provisioned";

    /// <summary>Provisioning gave up on a step. Data: the application, the failed step and its error.</summary>
    public const string ApplicationFailed = "application.failed";

    /// <summary>The instance and its data were removed after the grace period. Data: the application.</summary>
    public const string ApplicationDeleted = "application.deleted";

    /// <summary>A usage alert (80, 90 or 100 % of an included amount). Data: the metric, the threshold, used and included.</summary>
    public const string UsageThreshold = "usage.threshold";

    /// <summary>An API key was created. Data: the key as lists show it (never its value).</summary>
    public const string KeyCreated = "key.created";

    /// <summary>An API key was revoked. Data: the key.</summary>
    public const string KeyRevoked = "key.revoked";

    /// <summary>A secret key was replaced. Data: the old key, its new expiry, and the new key.</summary>
    public const string KeyRotated = "key.rotated";

    /// <summary>Sent by "Send test event" to one endpoint, whatever it subscribes to; not subscribable.</summary>
    public const string Test = "webhook.test";

    public static readonly IReadOnlyList<string> All =
        [ApplicationProvisioned, ApplicationFailed, ApplicationDeleted, UsageThreshold, KeyCreated, KeyRevoked, KeyRotated];

    public static bool IsKnown(string eventType) => All.Contains(eventType, StringComparer.Ordinal);
}
