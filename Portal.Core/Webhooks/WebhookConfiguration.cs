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

public class WebhookAttemptConfiguration : IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookAttempt> builder)
    {
        builder.ToTable("WebhookAttempts");
        builder.Property(a => a.DeliveryId).HasMaxLength(32);
        builder.Property(a => a.Error).HasMaxLength(500);
        builder.Property(a => a.ResponseExcerpt).HasMaxLength(WebhookSender.ExcerptBytes);
        builder.Ignore(a => a.Succeeded);
        builder.HasIndex(a => a.DeliveryId);
    }
}
