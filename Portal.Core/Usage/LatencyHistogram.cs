namespace Portal.Core.Usage;

/// <summary>
/// Log-spaced latency buckets: bucket 0 holds everything under 100 µs, bucket i (1 ≤ i &lt; <see cref="BucketCount"/> − 1)
/// holds [100 µs × 2^((i−1)/4), 100 µs × 2^(i/4)), the last one everything from about 2 minutes on. Neighbouring bounds are
/// 19 % apart, so a percentile read from the buckets is within about 10 % of the true one.
/// </summary>
public static class LatencyHistogram
{
    public const int BucketCount = 84;

    private const double FirstBoundMicroseconds = 100;

    private const double StepsPerDoubling = 4;

    public static int BucketOf(long latencyMicroseconds)
    {
        if (latencyMicroseconds < FirstBoundMicroseconds)
        {
            return 0;
        }

        var index = 1 + (int)Math.Floor(StepsPerDoubling * Math.Log2(latencyMicroseconds / FirstBoundMicroseconds));
        return Math.Min(index, BucketCount - 1);
    }

    /// <summary>The exclusive upper bound of bucket <paramref name="index"/> (the last bucket has none: its lower bound is returned).</summary>
    public static double UpperBoundMicroseconds(int index) =>
        FirstBoundMicroseconds * Math.Pow(2, Math.Min(index, BucketCount - 2) / StepsPerDoubling);

    /// <summary>The latency under which a fraction <paramref name="quantile"/> of the counted requests fall (a bucket bound), or null when nothing was counted.</summary>
    public static double? Percentile(IReadOnlyList<long> buckets, double quantile)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(quantile, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(quantile, 1);
        long total = 0;
        foreach (var count in buckets)
        {
            total += count;
        }

        if (total == 0)
        {
            return null;
        }

        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < buckets.Count; i++)
        {
            seen += buckets[i];
            if (seen >= rank && buckets[i] > 0)
            {
                return UpperBoundMicroseconds(i);
            }
        }

        return UpperBoundMicroseconds(buckets.Count - 1);
    }
}
