using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Webhooks;

public class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> builder)
    {
        builder.ToTable("WebhookDeliveries");
        builder.Property(d => d.Id).HasMaxLength(32);
        builder.Property(d => d.EndpointId).HasMaxLength(32);
        builder.Property(d => d.EventId).HasMaxLength(32);
        builder.Property(d => d.EventType).HasMaxLength(64);
        // text, not jsonb: the body must stay byte for byte what was signed.
        builder.Property(d => d.Payload).HasColumnType("text");
        builder.Property(d => d.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(d => d.RedeliveryOf).HasMaxLength(32);
        builder.HasOne(d => d.Endpoint).WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
        builder.HasMany(d => d.Attempts).WithOne().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(d => new { d.EndpointId, d.CreatedAt });
        // The sweeper looks only at pending deliveries.
        builder.HasIndex(d => d.NextAttemptAt).HasFilter("\"Status\" = 'Pending'");
    }
}
