namespace Portal.Core.Usage;

/// <summary>The size of an application's tenant database, recorded hourly.</summary>
public sealed class UsageStorageSample
{
    public required string ApplicationId { get; set; }

    public DateTimeOffset MeasuredAt { get; set; }

    public long Bytes { get; set; }
}
