namespace Portal.Core.Proxy;

/// <summary>
/// An outbox row: a change the proxies must hear of (a key revoked or rotated, an application deleted or suspended),
/// saved in the same transaction as the change itself. Published to Redis right after the commit and deleted; when
/// that fails (Redis away, the process died), <see cref="ProxyInvalidationPublisher"/> retries it until it is published.
/// </summary>
public sealed class ProxyInvalidation
{
    public long Id { get; set; }

    public ProxyInvalidationKind Kind { get; set; }

    /// <summary>The key's SHA-256 hash in hex, or the application's id.</summary>
    public string Target { get; set; } = "";

    public DateTimeOffset CreatedAt { get; set; }
}
