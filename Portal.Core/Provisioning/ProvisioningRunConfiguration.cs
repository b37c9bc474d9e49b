using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Provisioning;

public class ProvisioningRunConfiguration : IEntityTypeConfiguration<ProvisioningRun>
{
    public void Configure(EntityTypeBuilder<ProvisioningRun> builder)
    {
        builder.ToTable("ProvisioningRuns");
        builder.Property(r => r.Id).HasMaxLength(32);
        builder.Property(r => r.ApplicationId).HasMaxLength(32);
        builder.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(r => r.Error).HasMaxLength(2000);
        builder.HasOne(r => r.Application).WithMany().HasForeignKey(r => r.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(r => r.Steps).WithOne().HasForeignKey(s => s.RunId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(r => new { r.ApplicationId, r.CreatedAt });
    }
}
