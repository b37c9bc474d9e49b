using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Portal.Core.Proxy;

public class ProxyInvalidationConfiguration : IEntityTypeConfiguration<ProxyInvalidation>
{
    public void Configure(EntityTypeBuilder<ProxyInvalidation> builder)
    {
        builder.ToTable("ProxyInvalidations");
        builder.Property(i => i.Kind).HasConversion<string>().HasMaxLength(16);
        builder.Property(i => i.Target).HasMaxLength(64);
    }
}
