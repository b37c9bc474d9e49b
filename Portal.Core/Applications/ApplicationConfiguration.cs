using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Applications;

public class ApplicationConfiguration : IEntityTypeConfiguration<Application>
{
    public void Configure(EntityTypeBuilder<Application> builder)
    {
        builder.ToTable("Applications");
        builder.Property(a => a.Id).HasMaxLength(32);
        builder.Property(a => a.Name).HasMaxLength(100);
        builder.Property(a => a.Slug).HasMaxLength(40);
        builder.Property(a => a.Environment).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(a => a.Region).HasMaxLength(40);
        builder.Property(a => a.Configuration).HasColumnType("jsonb");
        builder.Property(a => a.InternalUrl).HasMaxLength(300);
        builder.Property(a => a.IpAllowlist).HasColumnType("cidr[]").HasDefaultValueSql("'{}'::cidr[]");
        builder.Property(a => a.CreatedByUserId).HasMaxLength(64);
        builder.Property(a => a.LastError).HasMaxLength(1000);
        builder.Property(a => a.Version).IsRowVersion();
        builder.HasOne(a => a.Workspace).WithMany().HasForeignKey(a => a.WorkspaceId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(a => new { a.WorkspaceId, a.Slug }).IsUnique();
        builder.HasIndex(a => a.Status);
    }
}
