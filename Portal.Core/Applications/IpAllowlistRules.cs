using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Portal.Core.Applications;

/// <summary>
/// What makes an application's IP allowlist valid, shared by the settings page and the API: at most
/// <see cref="MaxEntries"/> IPv4 or IPv6 CIDR ranges, no duplicates. A bare address is a /32 (or /128). A range with
/// host bits set (<c>10.1.2.3/8</c>) is refused, naming the range it might have meant: the proxy must never allow
/// more than its owner believes. IPv4-mapped IPv6 ranges (<c>::ffff:10.0.0.0/104</c>) become IPv4 ranges, as the
/// proxy compares such clients as IPv4.
/// </summary>
public static class IpAllowlistRules
{
    public const int MaxEntries = 50;

    /// <summary>Longer than any address with a prefix (<c>ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128</c> has 49).</summary>
    public const int MaxEntryLength = 64;

    private const string Example = "e.g. 203.0.113.0/24, 198.51.100.7 or 2001:db8::/32";

    /// <summary>
    /// The ranges of <paramref name="entries"/> in their given order, or the first entry at fault, named
    /// <c>{field}[i]</c>.
    /// </summary>
    public static Outcome<List<IPNetwork>> Parse(IReadOnlyList<string?> entries, string field = "ipAllowlist")
    {
        if (entries.Count > MaxEntries)
        {
            return Failure.Invalid(field, $"An IP allowlist has at most {MaxEntries} ranges; this one has {entries.Count}.");
        }

        var networks = new List<IPNetwork>(entries.Count);
        var seen = new HashSet<IPNetwork>(entries.Count);
        for (var i = 0; i < entries.Count; i++)
        {
            var entryField = $"{field}[{i}]";
            var parsed = ParseEntry(entries[i], entryField);
            if (!parsed.Succeeded)
            {
                return parsed.Failure;
            }

            var network = parsed.Value;
            if (!seen.Add(network))
            {
                return Failure.Invalid(entryField, $"{Format(network)} is in the list twice.");
            }

            networks.Add(network);
        }

        return networks;
    }

    /// <summary>One range: an address, or an address and a prefix length, without host bits.</summary>
    public static Outcome<IPNetwork> ParseEntry(string? entry, string field)
    {
        var text = entry?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return Failure.Invalid(field, $"Enter an IP address or CIDR range ({Example}).");
        }

        if (text.Length > MaxEntryLength)
        {
            return Failure.Invalid(field, $"Not an IP address or CIDR range ({Example}).");
        }

        var slash = text.IndexOf('/', StringComparison.Ordinal);
        var addressText = slash < 0 ? text : text[..slash];
        if (!TryParseAddress(addressText, out var address))
        {
            return Failure.Invalid(field, $"'{text}' is not an IP address or CIDR range ({Example}).");
        }

        var bits = address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128;
        var prefix = bits;
        if (slash >= 0)
        {
            var prefixText = text[(slash + 1)..];
            if (prefixText.Length is 0 or > 3 || !prefixText.All(char.IsAsciiDigit)
                || !int.TryParse(prefixText, NumberStyles.None, CultureInfo.InvariantCulture, out prefix) || prefix > bits)
            {
                return Failure.Invalid(field, $"'{text}': the prefix length after / is 0 to {bits} for an {(bits == 32 ? "IPv4" : "IPv6")} address.");
            }
        }

        if (address.IsIPv4MappedToIPv6)
        {
            if (prefix < 96)
            {
                return Failure.Invalid(field, $"'{text}' mixes IPv4-mapped and other IPv6 addresses; write the IPv4 range instead.");
            }

            address = address.MapToIPv4();
            prefix -= 96;
        }

        var network = Masked(address, prefix);
        if (!network.BaseAddress.Equals(address))
        {
            return Failure.Invalid(field, $"'{text}' has host bits set; the range is {Format(network)} (or use /{(address.AddressFamily == AddressFamily.InterNetwork ? 32 : 128)} for this address alone).");
        }

        return network;
    }

    /// <summary>The canonical text of a range: always with its prefix length, IPv6 compressed and in lowercase.</summary>
    public static string Format(IPNetwork network) => network.ToString();

    /// <summary>The canonical texts of <paramref name="networks"/>.</summary>
    public static List<string> Format(IEnumerable<IPNetwork> networks) => networks.Select(Format).ToList();

    /// <summary>
    /// Strict: IPv4 as four decimal numbers without leading zeros (the runtime would read <c>010</c> as octal and
    /// <c>10.1</c> as <c>10.0.0.1</c>), IPv6 without a zone (<c>%eth0</c>).
    /// </summary>
    private static bool TryParseAddress(string text, out IPAddress address)
    {
        address = IPAddress.None;
        if (text.Contains(':', StringComparison.Ordinal))
        {
            if (text.AsSpan().IndexOfAny("%[]") >= 0 || !IPAddress.TryParse(text, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return false;
            }

            address = v6;
            return true;
        }

        var parts = text.Split('.');
        if (parts.Length != 4)
        {
            return false;
        }

        foreach (var part in parts)
        {
            if (part.Length is 0 or > 3 || !part.All(char.IsAsciiDigit) || (part.Length > 1 && part[0] == '0'))
            {
                return false;
            }
        }

        if (!IPAddress.TryParse(text, out var v4) || v4.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        address = v4;
        return true;
    }

    private static IPNetwork Masked(IPAddress address, int prefix)
    {
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out var length);
        bytes = bytes[..length];
        for (var i = 0; i < length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            bytes[i] &= (byte)(0xFF << (8 - keep));
        }

        return new IPNetwork(new IPAddress(bytes), prefix);
    }
}
