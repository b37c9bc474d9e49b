using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Core.Applications;
using Portal.Core.Provisioning;
using Portal.Core.Usage;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Usage;

/// <summary>The hourly storage job measures each live application's tenant database on its region's server.</summary>
public sealed class RecordTenantStorageTests(TestServers servers) : PortalTest(servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    // us-east-1's tenant server is the run's PostgreSQL; mars-1 has none.
    protected override Dictionary<string, string?> Settings => new()
    {
        ["Provisioning:Regions:us-east-1:PostgresAdmin"] = Servers.Postgres.ConnectionString("postgres"),
    };

    private async Task<Application> ApplicationAsync(string region, ApplicationStatus status)
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "App",
            Slug = $"app-{Guid.NewGuid():N}"[..20],
            Region = region,
            Status = status,
            CreatedAt = App.Clock.GetUtcNow(),
        };
        await using var db = App.CreateDbContext();
        db.Add(application);
        await db.SaveChangesAsync(Ct);
        return application;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(App.DatabaseConnectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }

    [Fact]
    public async Task LiveApplications_GetTheirDatabaseSize_AndAnUnknownRegionStopsNobody()
    {
        var measured = await ApplicationAsync("us-east-1", ApplicationStatus.Active);
        var deleted = await ApplicationAsync("us-east-1", ApplicationStatus.Deleted);
        var elsewhere = await ApplicationAsync("mars-1", ApplicationStatus.Active);
        var database = TenantNames.Database(measured.Id);
        await ExecuteAsync($"CREATE DATABASE {database}");
        await ExecuteAsync($"CREATE DATABASE {TenantNames.Database(deleted.Id)}");
        try
        {
            await using var scope = App.Services.CreateAsyncScope();
            var recorded = await scope.ServiceProvider.GetRequiredService<RecordTenantStorage>().ExecuteAsync(Ct);

            Assert.True(recorded >= 1);
            await using var db = App.CreateDbContext();
            var samples = await db.Set<UsageStorageSample>().Where(s => new[] { measured.Id, deleted.Id, elsewhere.Id }.Contains(s.ApplicationId)).ToListAsync(Ct);
            var sample = Assert.Single(samples);
            Assert.Equal(measured.Id, sample.ApplicationId);
            Assert.Equal(App.Clock.GetUtcNow(), sample.MeasuredAt, TimeSpan.FromMilliseconds(1)); // PostgreSQL keeps microseconds
            // An empty database is several megabytes (its catalogue).
            Assert.InRange(sample.Bytes, 1_000_000, 100_000_000);
        }
        finally
        {
            await ExecuteAsync($"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
            await ExecuteAsync($"DROP DATABASE IF EXISTS {TenantNames.Database(deleted.Id)} WITH (FORCE)");
        }
    }
}
