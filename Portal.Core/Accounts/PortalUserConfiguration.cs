using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Accounts;

public class PortalUserConfiguration : IEntityTypeConfiguration<PortalUser>
{
    public void Configure(EntityTypeBuilder<PortalUser> builder)
    {
        builder.Property(u => u.DisplayName).HasMaxLength(100);
        builder.HasIndex(u => new { u.EmailConfirmed, u.CreatedAt });
        builder.Property(u => u.SuspensionReason).HasMaxLength(500);
    }
}
