using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

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

public sealed class UsageMinute : UsagePeriod;

public sealed class UsageHour : UsagePeriod;

public sealed class UsageDay : UsagePeriod;

/// <summary>A claimed Redis minute bucket whose counts are in the usage tables: the rollup adds a claim once only.</summary>
public sealed class UsageRollupClaim
{
    public required string Id { get; set; }

    public DateTimeOffset AppliedAt { get; set; }
}

/// <summary>Distinct users of an application in a calendar month (HyperLogLog estimate), as last read by the rollup.</summary>
public sealed class UsageMonthlyActiveUsers
{
    public required string ApplicationId { get; set; }

    /// <summary>The month's first day (UTC).</summary>
    public DateOnly Month { get; set; }

    public long Users { get; set; }

    public DateTimeOffset MeasuredAt { get; set; }
}

/// <summary>The size of an application's tenant database, recorded hourly.</summary>
public sealed class UsageStorageSample
{
    public required string ApplicationId { get; set; }

    public DateTimeOffset MeasuredAt { get; set; }

    public long Bytes { get; set; }
}

public sealed class UsageRecordsConfiguration :
    IEntityTypeConfiguration<UsageMinute>, IEntityTypeConfiguration<UsageHour>, IEntityTypeConfiguration<UsageDay>,
    IEntityTypeConfiguration<UsageRollupClaim>, IEntityTypeConfiguration<UsageMonthlyActiveUsers>, IEntityTypeConfiguration<UsageStorageSample>
{
    public void Configure(EntityTypeBuilder<UsageMinute> builder) => Period(builder, "UsageMinutes");

    public void Configure(EntityTypeBuilder<UsageHour> builder) => Period(builder, "UsageHours");

    public void Configure(EntityTypeBuilder<UsageDay> builder) => Period(builder, "UsageDays");

    public void Configure(EntityTypeBuilder<UsageRollupClaim> builder)
    {
        builder.ToTable("UsageRollupClaims");
        builder.Property(c => c.Id).HasMaxLength(300);
        builder.HasIndex(c => c.AppliedAt);
    }

    public void Configure(EntityTypeBuilder<UsageMonthlyActiveUsers> builder)
    {
        builder.ToTable("UsageMonthlyActiveUsers");
        builder.HasKey(m => new { m.ApplicationId, m.Month });
        builder.Property(m => m.ApplicationId).HasMaxLength(32);
    }

    public void Configure(EntityTypeBuilder<UsageStorageSample> builder)
    {
        builder.ToTable("UsageStorageSamples");
        builder.HasKey(s => new { s.ApplicationId, s.MeasuredAt });
        builder.Property(s => s.ApplicationId).HasMaxLength(32);
    }

    private static void Period<T>(EntityTypeBuilder<T> builder, string table) where T : UsagePeriod
    {
        builder.ToTable(table);
        builder.HasKey(p => new { p.ApplicationId, p.Start });
        builder.Property(p => p.ApplicationId).HasMaxLength(32);
        builder.Ignore(p => p.Requests);
        // Retention deletes by age across applications.
        builder.HasIndex(p => p.Start);
    }
}
