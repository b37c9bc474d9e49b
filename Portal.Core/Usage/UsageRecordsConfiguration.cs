using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Usage;

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
