
namespace Portal.Core.Usage;

/// <summary>Counts of one interval (or a whole period) being summed: status classes, bytes and the merged latency histogram.</summary>
internal sealed class UsageAccumulator
{
    public long Requests { get; private set; }

    public long Errors4xx { get; private set; }

    public long Errors5xx { get; private set; }

    public long BytesIn { get; private set; }

    public long BytesOut { get; private set; }

    public long[] Latency { get; } = new long[LatencyHistogram.BucketCount];

    public void Add(long requests, long errors4xx, long errors5xx, long bytesIn, long bytesOut, IReadOnlyList<long> latency)
    {
        Requests += requests;
        Errors4xx += errors4xx;
        Errors5xx += errors5xx;
        BytesIn += bytesIn;
        BytesOut += bytesOut;
        for (var i = 0; i < Math.Min(latency.Count, Latency.Length); i++)
        {
            Latency[i] += latency[i];
        }
    }

    public void Add(UsageAccumulator other) => Add(other.Requests, other.Errors4xx, other.Errors5xx, other.BytesIn, other.BytesOut, other.Latency);

    /// <summary>(4xx + 5xx) / requests, to four decimals; 0 without requests.</summary>
    public double ErrorRate => Requests == 0 ? 0 : Math.Round((double)(Errors4xx + Errors5xx) / Requests, 4);

    public LatencyPercentiles Percentiles() => Requests == 0
        ? LatencyPercentiles.None
        : new(Milliseconds(LatencyHistogram.Percentile(Latency, 0.50)), Milliseconds(LatencyHistogram.Percentile(Latency, 0.95)),
            Milliseconds(LatencyHistogram.Percentile(Latency, 0.99)));

    public MetricsPoint ToPoint(DateTimeOffset timestamp) => new(timestamp, Requests, Errors4xx, Errors5xx, ErrorRate, Percentiles(), BytesIn, BytesOut);

    public MetricsTotals ToTotals() => new(Requests, Errors4xx, Errors5xx, ErrorRate, Percentiles(), BytesIn, BytesOut);

    private static double? Milliseconds(double? microseconds) => microseconds is { } us ? Math.Round(us / 1000, 3) : null;
}
