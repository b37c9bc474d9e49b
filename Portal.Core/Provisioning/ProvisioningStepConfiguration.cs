using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Provisioning;

public class ProvisioningStepConfiguration : IEntityTypeConfiguration<ProvisioningStep>
{
    public void Configure(EntityTypeBuilder<ProvisioningStep> builder)
    {
        builder.ToTable("ProvisioningSteps");
        builder.Property(s => s.RunId).HasMaxLength(32);
        builder.Property(s => s.Name).HasMaxLength(40);
        builder.Property(s => s.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(s => s.Error).HasMaxLength(2000);
        builder.HasIndex(s => new { s.RunId, s.Order }).IsUnique();
    }
}
