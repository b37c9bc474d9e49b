using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;
using Portal.Core;

namespace Portal.Migrations;

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the portal (no database is reached).</summary>
public sealed class PortalDbContextDesignTimeFactory : IDesignTimeDbContextFactory<PortalDbContext>
{
    public PortalDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PortalDbContext>()
            .UseNpgsql("Host=localhost;Database=design_time", npgsql => npgsql.MigrationsAssembly(PortalDbContext.MigrationsAssembly))
            .Options);
}
