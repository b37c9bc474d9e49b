using System.Net;

namespace Portal.Core.Webhooks;

/// <summary>
/// Resolves the host of a webhook URL when an endpoint is saved (DNS). A lookup is visible to whoever runs the name's
/// DNS server, so it happens only for callers allowed to manage the application's webhooks.
/// </summary>
public class WebhookHostResolver
{
    public virtual Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Dns.GetHostAddressesAsync(host, cancellationToken);
}
