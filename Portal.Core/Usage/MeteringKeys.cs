using System.Globalization;

namespace Portal.Core.Usage;

/// <summary>
/// The meter's Redis keys. A minute bucket is a hash <c>{prefix}m:{appId}:{unixMinute}</c> (fields s1–s5 for the
/// status classes, bi/bo for bytes, h0–h83 for latency buckets); open buckets are listed in the set <c>{prefix}open</c>;
/// a bucket the rollup has claimed is renamed <c>{bucket}#{claimId}</c> and listed in <c>{prefix}claimed</c>.
/// </summary>
public sealed class MeteringKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    public string OpenSet => Prefix + "open";

    public string ClaimedSet => Prefix + "claimed";

    public string LastUsed => Prefix + "lastused";

    public string Bucket(string applicationId, long unixMinute) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}m:{applicationId}:{unixMinute}");

    public string Mau(string applicationId, int year, int month) =>
        string.Create(CultureInfo.InvariantCulture, $"{Prefix}mau:{applicationId}:{year:D4}{month:D2}");

    public string FlushToken(string token) => Prefix + "flush:" + token;

    /// <summary>The application and minute of a claimed bucket key, and the claim's id (the whole key, unique per claim).</summary>
    public bool TryParseClaimed(string claimedKey, out string applicationId, out long unixMinute)
    {
        applicationId = "";
        unixMinute = 0;
        var start = Prefix.Length + 2;
        var hash = claimedKey.LastIndexOf('#');
        if (!claimedKey.StartsWith(Prefix + "m:", StringComparison.Ordinal) || hash < start)
        {
            return false;
        }

        var bucket = claimedKey.AsSpan(start, hash - start);
        var colon = bucket.LastIndexOf(':');
        if (colon <= 0 || !long.TryParse(bucket[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out unixMinute))
        {
            return false;
        }

        applicationId = bucket[..colon].ToString();
        return true;
    }
}
