namespace Portal.Core.Usage;

internal sealed class MinuteAggregate
{
    public long[] Status { get; } = new long[5];

    public long BytesIn { get; set; }

    public long BytesOut { get; set; }

    public long[] Latency { get; } = new long[LatencyHistogram.BucketCount];
}
