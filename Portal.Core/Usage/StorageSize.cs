namespace Portal.Core.Usage;

/// <summary>The latest measured size of an application's tenant database (hourly samples); 0 and no time before the first sample.</summary>
public sealed record StorageSize(long Bytes, DateTimeOffset? MeasuredAt);
