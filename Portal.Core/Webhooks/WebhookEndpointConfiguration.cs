using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Webhooks;

public class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> builder)
    {
        builder.ToTable("WebhookEndpoints");
        builder.Property(e => e.Id).HasMaxLength(32);
        builder.Property(e => e.ApplicationId).HasMaxLength(32);
        builder.Property(e => e.Url).HasMaxLength(WebhookDestinations.MaxUrlLength);
        builder.Property(e => e.Description).HasMaxLength(200);
        builder.Property(e => e.CreatedByUserId).HasMaxLength(64);
        builder.HasOne(e => e.Application).WithMany().HasForeignKey(e => e.ApplicationId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(e => e.ApplicationId);
    }
}
