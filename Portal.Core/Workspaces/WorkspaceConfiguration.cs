using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Workspaces;

public class WorkspaceConfiguration : IEntityTypeConfiguration<Workspace>
{
    public void Configure(EntityTypeBuilder<Workspace> builder)
    {
        builder.ToTable("Workspaces");
        builder.Property(w => w.Id).HasMaxLength(32);
        builder.Property(w => w.Name).HasMaxLength(WorkspaceRules.MaxNameLength);
        builder.Property(w => w.Slug).HasMaxLength(WorkspaceRules.MaxSlugLength);
        builder.HasIndex(w => w.Slug).IsUnique();
        builder.Property(w => w.Plan).HasConversion<string>().HasMaxLength(16);
        builder.Property(w => w.Status).HasConversion<string>().HasMaxLength(16);
        builder.Property(w => w.Metadata).HasColumnType("jsonb").HasConversion(
            map => JsonSerializer.Serialize(map, (JsonSerializerOptions?)null),
            json => JsonSerializer.Deserialize<Dictionary<string, string>>(json, (JsonSerializerOptions?)null) ?? new Dictionary<string, string>(),
            new ValueComparer<Dictionary<string, string>>(
                (a, b) => a!.Count == b!.Count && !a.Except(b).Any(),
                map => map.Aggregate(0, (hash, pair) => hash ^ HashCode.Combine(pair.Key, pair.Value)),
                map => new Dictionary<string, string>(map)));
        builder.Property(w => w.CreatedByUserId).HasMaxLength(64);
        builder.Property(w => w.SuspensionReason).HasMaxLength(500);
        builder.Property(w => w.Version).IsRowVersion();
        builder.HasIndex(w => new { w.Status, w.DeletedAt });
    }
}
