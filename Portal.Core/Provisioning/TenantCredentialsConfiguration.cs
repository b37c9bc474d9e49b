using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Applications;

namespace Portal.Core.Provisioning;

public class TenantCredentialsConfiguration : IEntityTypeConfiguration<TenantCredentials>
{
    public void Configure(EntityTypeBuilder<TenantCredentials> builder)
    {
        builder.ToTable("TenantCredentials");
        builder.HasKey(c => c.ApplicationId);
        builder.Property(c => c.ApplicationId).HasMaxLength(32);
        builder.Property(c => c.Namespace).HasMaxLength(63);
        builder.Property(c => c.DatabaseName).HasMaxLength(63);
        builder.Property(c => c.DatabaseRole).HasMaxLength(63);
        builder.Property(c => c.RedisUser).HasMaxLength(63);
        builder.Property(c => c.RedisKeyPrefix).HasMaxLength(80);
        builder.HasOne<Application>().WithOne().HasForeignKey<TenantCredentials>(c => c.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        // The reservation: no two applications can be given the same names, even after an id collision in lower case.
        builder.HasIndex(c => c.Namespace).IsUnique();
        builder.HasIndex(c => c.DatabaseName).IsUnique();
        builder.HasIndex(c => c.DatabaseRole).IsUnique();
        builder.HasIndex(c => c.RedisUser).IsUnique();
    }
}
