namespace Portal.Core.Usage;

/// <summary>Distinct users of an application in a calendar month (HyperLogLog estimate), as last read by the rollup.</summary>
public sealed class UsageMonthlyActiveUsers
{
    public required string ApplicationId { get; set; }

    /// <summary>The month's first day (UTC).</summary>
    public DateOnly Month { get; set; }

    public long Users { get; set; }

    public DateTimeOffset MeasuredAt { get; set; }
}
