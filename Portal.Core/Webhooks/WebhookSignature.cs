using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Webhooks;

/// <summary>
/// The <c>AuthSome-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256&gt;</c>, the HMAC keyed with the
/// endpoint's whole secret (<c>whsec_…</c>, as UTF-8) over <c>"&lt;t&gt;.&lt;body&gt;"</c>. During a secret rotation a second
/// <c>v1</c> signed with the previous secret follows; a receiver accepts the request when any <c>v1</c> matches.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "AuthSome-Signature";
    public const string EventHeader = "AuthSome-Event";
    public const string DeliveryHeader = "AuthSome-Delivery";

    public static string Sign(string secret, long timestamp, string body)
    {
        var signed = Encoding.UTF8.GetBytes(timestamp.ToString(CultureInfo.InvariantCulture) + "." + body);
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), signed));
    }

    public static string HeaderValue(long timestamp, string body, IEnumerable<string> secrets) =>
        $"t={timestamp.ToString(CultureInfo.InvariantCulture)}" + string.Concat(secrets.Select(secret => ",v1=" + Sign(secret, timestamp, body)));

    /// <summary>What a receiver does: parse the header, check the timestamp's age, compare every <c>v1</c> in constant time.</summary>
    public static bool Verify(string? header, string body, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        long? timestamp = null;
        var signatures = new List<string>();
        foreach (var part in header.Split(','))
        {
            var (key, value) = part.IndexOf('=', StringComparison.Ordinal) is var i and > 0 ? (part[..i].Trim(), part[(i + 1)..].Trim()) : ("", "");
            if (key == "t" && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
            {
                timestamp = t;
            }
            else if (key == "v1")
            {
                signatures.Add(value);
            }
        }

        if (timestamp is not { } ts || (now - DateTimeOffset.FromUnixTimeSeconds(ts)).Duration() > tolerance)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Sign(secret, ts, body));
        return signatures.Any(s => CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(s)));
    }
}
