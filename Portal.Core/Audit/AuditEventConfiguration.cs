using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Audit;

public class AuditEventConfiguration : IEntityTypeConfiguration<AuditEvent>
{
    public void Configure(EntityTypeBuilder<AuditEvent> builder)
    {
        builder.ToTable("AuditEvents");
        builder.Property(e => e.Id).UseIdentityAlwaysColumn();
        builder.Property(e => e.ActorType).HasMaxLength(16);
        builder.Property(e => e.ActorId).HasMaxLength(64);
        builder.Property(e => e.ActorName).HasMaxLength(256);
        builder.Property(e => e.Action).HasMaxLength(64);
        builder.Property(e => e.TargetType).HasMaxLength(32);
        builder.Property(e => e.TargetId).HasMaxLength(64);
        builder.Property(e => e.IpAddress).HasMaxLength(64);
        builder.Property(e => e.UserAgent).HasMaxLength(ClientInfo.MaxUserAgentLength);
        builder.Property(e => e.RequestId).HasMaxLength(128);
        builder.Property(e => e.Changes).HasColumnType("jsonb");
        // The activity page reads a workspace's events newest first, optionally by action or actor.
        builder.HasIndex(e => new { e.WorkspaceId, e.Id }).IsDescending(false, true);
        builder.HasIndex(e => new { e.WorkspaceId, e.Action, e.Id }).IsDescending(false, false, true);
        builder.HasIndex(e => new { e.WorkspaceId, e.ActorId, e.Id }).IsDescending(false, false, true);
        // An account's security page reads the events about it.
        builder.HasIndex(e => new { e.TargetType, e.TargetId, e.Id }).IsDescending(false, false, true);
        builder.HasIndex(e => e.OccurredAt);
    }
}
