using System.Net;

namespace Portal.Hosting;

/// <summary>
/// The <c>Portal:ForwardedHeaders</c> section: the networks and addresses of the proxies in front of the portal (the
/// ingress controller's pods). X-Forwarded-For and -Proto are believed from those peers only, at most
/// <see cref="ForwardLimit"/> hops back; with none listed, forwarded headers are ignored.
/// </summary>
public sealed class TrustedProxyOptions
{
    /// <summary>CIDR ranges, e.g. 10.244.0.0/16.</summary>
    public IList<string> KnownNetworks { get; init; } = [];

    /// <summary>Single addresses, e.g. 10.0.0.12.</summary>
    public IList<string> KnownProxies { get; init; } = [];

    /// <summary>How many proxies' entries are read from the end of X-Forwarded-For: one ingress, one hop.</summary>
    public int ForwardLimit { get; init; } = 1;

    public bool Enabled => KnownNetworks.Count > 0 || KnownProxies.Count > 0;

    public IEnumerable<System.Net.IPNetwork> Networks => KnownNetworks.Select(n => System.Net.IPNetwork.Parse(n));

    public IEnumerable<IPAddress> Proxies => KnownProxies.Select(IPAddress.Parse);

    internal void Validate()
    {
        for (var i = 0; i < KnownNetworks.Count; i++)
        {
            // A range written with host bits set (10.0.0.1/8) is refused rather than silently widened.
            if (!System.Net.IPNetwork.TryParse(KnownNetworks[i], out var network)
                || !IPAddress.TryParse(KnownNetworks[i].Split('/')[0], out var written) || !written.Equals(network.BaseAddress))
            {
                throw new InvalidOperationException(
                    $"Setting 'Portal:ForwardedHeaders:KnownNetworks:{i}' must be a CIDR range such as 10.244.0.0/16 (no host bits set); it is '{KnownNetworks[i]}'.");
            }
        }

        for (var i = 0; i < KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(KnownProxies[i], out _))
            {
                throw new InvalidOperationException($"Setting 'Portal:ForwardedHeaders:KnownProxies:{i}' must be an IP address; it is '{KnownProxies[i]}'.");
            }
        }

        if (ForwardLimit < 1)
        {
            throw new InvalidOperationException($"Setting 'Portal:ForwardedHeaders:ForwardLimit' must be at least 1; it is {ForwardLimit}.");
        }
    }
}
