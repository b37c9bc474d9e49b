using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.ApiKeys;

public class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("ApiKeys");
        builder.Property(k => k.Id).HasMaxLength(32);
        builder.Property(k => k.Name).HasMaxLength(100);
        builder.Property(k => k.Type).HasConversion<string>().HasMaxLength(16);
        builder.Property(k => k.DisplayPrefix).HasMaxLength(32);
        builder.Property(k => k.Hash).HasMaxLength(32);
        builder.Property(k => k.PublicValue).HasMaxLength(100);
        builder.Property(k => k.CreatedByUserId).HasMaxLength(64);
        builder.Property(k => k.ReplacesKeyId).HasMaxLength(32);
        builder.HasOne(k => k.Application).WithMany().HasForeignKey(k => k.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        // The proxy finds a presented key by its hash.
        builder.HasIndex(k => k.Hash).IsUnique();
        builder.HasIndex(k => k.ApplicationId);
    }
}
