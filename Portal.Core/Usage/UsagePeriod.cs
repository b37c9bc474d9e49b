namespace Portal.Core.Usage;

/// <summary>One application's usage over one period (a minute, an hour or a day, starting at <see cref="Start"/>).</summary>
public abstract class UsagePeriod
{
    public required string ApplicationId { get; set; }

    public DateTimeOffset Start { get; set; }

    public long Requests1xx { get; set; }

    public long Requests2xx { get; set; }

    public long Requests3xx { get; set; }

    public long Requests4xx { get; set; }

    public long Requests5xx { get; set; }

    public long BytesIn { get; set; }

    public long BytesOut { get; set; }

    /// <summary>Request counts per <see cref="LatencyHistogram"/> bucket.</summary>
    public long[] Latency { get; set; } = new long[LatencyHistogram.BucketCount];

    public long Requests => Requests1xx + Requests2xx + Requests3xx + Requests4xx + Requests5xx;
}
