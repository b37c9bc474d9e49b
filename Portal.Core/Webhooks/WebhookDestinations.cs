using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Webhooks;

/// <summary>
/// Server-side request forgery guard: which addresses a webhook may not reach (unless
/// <see cref="WebhooksOptions.AllowPrivateDestinations"/>), checked when an endpoint is saved and again at connect time.
/// </summary>
public static class WebhookDestinations
{
    public const int MaxUrlLength = 2048;

    /// <summary>
    /// Loopback, unspecified, private (10/8, 172.16/12, 192.168/16), CGNAT (100.64/10), link-local (169.254/16, fe80::/10),
    /// unique-local (fc00::/7), site-local (fec0::/10), multicast, broadcast and reserved addresses; IPv4 addresses inside
    /// IPv6 (mapped, compatible, NAT64, 6to4) are judged as the IPv4 address they carry.
    /// </summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (EmbeddedIPv4(address) is { } inner)
            {
                return IsPrivate(inner);
            }

            return IPAddress.IsLoopback(address) || address.Equals(IPAddress.IPv6Any) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal
                || address.IsIPv6UniqueLocal || address.IsIPv6Multicast;
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return true;
        }

        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return b[0] switch
        {
            0 or 10 or 127 => true,
            100 => b[1] is >= 64 and <= 127,
            169 => b[1] == 254,
            172 => b[1] is >= 16 and <= 31,
            192 => (b[1] == 168) || (b[1] == 0 && b[2] == 0),
            >= 224 => true, // multicast 224/4, reserved 240/4, broadcast
            _ => false,
        };
    }

    private static IPAddress? EmbeddedIPv4(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4();
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        // 6to4 (2002:V4ADDR::/48)
        if (b[0] == 0x20 && b[1] == 0x02)
        {
            return new IPAddress(b[2..6]);
        }

        // NAT64 well-known prefix 64:ff9b::/96
        if (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && !b[4..12].ContainsAnyExcept((byte)0))
        {
            return new IPAddress(b[12..]);
        }

        // IPv4-compatible ::a.b.c.d (deprecated), but not :: and ::1, which are judged as IPv6.
        return !b[..12].ContainsAnyExcept((byte)0) && (b[12] | b[13]) != 0 ? new IPAddress(b[12..]) : null;
    }

    /// <summary>
    /// The refusal of a URL an endpoint may not have, naming <c>url</c>, from its text alone (no DNS); null when it may.
    /// Outside Development (private destinations refused) it must be https on one of <paramref name="allowedPorts"/>.
    /// </summary>
    public static Failure? ValidateFormat(string? url, bool allowPrivate, IReadOnlyList<int> allowedPorts)
    {
        url = url?.Trim();
        if (string.IsNullOrEmpty(url) || url.Length > MaxUrlLength)
        {
            return Failure.Invalid("url", $"Give the endpoint's URL (at most {MaxUrlLength} characters).");
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            || string.IsNullOrEmpty(uri.Host))
        {
            return Failure.Invalid("url", "The URL must be an absolute https:// address.");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo) || !string.IsNullOrEmpty(uri.Fragment))
        {
            return Failure.Invalid("url", "The URL may not carry a user name, password or #fragment.");
        }

        if (TextRules.HasForbiddenCharacters(url))
        {
            return Failure.Invalid("url", $"'url': {TextRules.ControlCharacterMessage}");
        }

        if (allowPrivate)
        {
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttps)
        {
            return Failure.Invalid("url", "The URL must use https.");
        }

        // Other ports are other services (SMTP on 25, Redis on 6379, …) that a webhook must not be aimed at.
        return allowedPorts.Contains(uri.Port)
            ? null
            : Failure.Invalid("url", $"The URL's port must be one of {string.Join(", ", allowedPorts)}.");
    }

    /// <summary>
    /// After <see cref="ValidateFormat"/> and once the caller may manage the application's webhooks: outside
    /// Development every address the host resolves to must be public. A lookup is visible to the name's DNS server,
    /// so it never runs for callers who may not.
    /// </summary>
    public static async Task<Failure?> ValidateHostAsync(string url, bool allowPrivate, WebhookHostResolver resolver, CancellationToken cancellationToken)
    {
        if (allowPrivate)
        {
            return null;
        }

        var uri = new Uri(url.Trim(), UriKind.Absolute);
        IPAddress[] addresses;
        if (IPAddress.TryParse(uri.IdnHost, out var literal))
        {
            addresses = [literal];
        }
        else if (uri.IdnHost.Equals("localhost", StringComparison.OrdinalIgnoreCase) || uri.IdnHost.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return Refused(uri.Host);
        }
        else
        {
            try
            {
                addresses = await resolver.ResolveAsync(uri.IdnHost, cancellationToken);
            }
            catch (SocketException)
            {
                return Failure.Invalid("url", $"The host '{uri.Host}' could not be resolved.");
            }
        }

        return addresses.Length == 0 || addresses.Any(IsPrivate) ? Refused(uri.Host) : null;
    }

    private static Failure Refused(string host) =>
        Failure.Invalid("url", $"'{host}' resolves to a loopback, private or link-local address; webhooks go only to public addresses.");
}
