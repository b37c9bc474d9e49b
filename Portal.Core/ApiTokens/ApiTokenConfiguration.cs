using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Portal.Core.Accounts;

namespace Portal.Core.ApiTokens;

public class ApiTokenConfiguration : IEntityTypeConfiguration<ApiToken>
{
    public void Configure(EntityTypeBuilder<ApiToken> builder)
    {
        builder.ToTable("ApiTokens");
        builder.Property(t => t.Id).HasMaxLength(32);
        builder.Property(t => t.UserId).HasMaxLength(64);
        builder.Property(t => t.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(t => t.Name).HasMaxLength(ApiTokenRules.MaxNameLength);
        builder.Property(t => t.TokenHash).HasMaxLength(32);
        builder.Property(t => t.Hint).HasMaxLength(16);
        builder.Property(t => t.SecurityStamp).HasMaxLength(256);
        builder.HasOne<PortalUser>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
        // Every API request finds its token by this index, and nothing else.
        builder.HasIndex(t => t.TokenHash).IsUnique();
        builder.HasIndex(t => new { t.UserId, t.Kind });
        builder.HasIndex(t => t.ExpiresAt);
    }
}
