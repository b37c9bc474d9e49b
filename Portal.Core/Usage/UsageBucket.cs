using System.Globalization;
using StackExchange.Redis;

namespace Portal.Core.Usage;

/// <summary>
/// One application's counts for one minute as the writer keeps them in a Redis hash (see <see cref="MeteringKeys"/>):
/// fields s1–s5 (status classes), bi/bo (bytes in/out) and h0… (latency buckets). Unknown or unreadable fields are skipped.
/// </summary>
public sealed record UsageBucket(long[] Status, long BytesIn, long BytesOut, long[] Latency)
{
    public static UsageBucket Read(HashEntry[] fields)
    {
        var status = new long[5];
        long bytesIn = 0, bytesOut = 0;
        var latency = new long[LatencyHistogram.BucketCount];
        foreach (var field in fields)
        {
            var name = field.Name.ToString();
            if (!field.Value.TryParse(out long value))
            {
                continue;
            }

            switch (name)
            {
                case ['s', var c] when c is >= '1' and <= '5':
                    status[c - '1'] = value;
                    break;
                case "bi":
                    bytesIn = value;
                    break;
                case "bo":
                    bytesOut = value;
                    break;
                case ['h', ..] when int.TryParse(name.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out var bucket) && bucket < latency.Length:
                    latency[bucket] = value;
                    break;
                default:
                    break;
            }
        }

        return new UsageBucket(status, bytesIn, bytesOut, latency);
    }
}
