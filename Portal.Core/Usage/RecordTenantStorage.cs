using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Core.Applications;
using Portal.Core.Provisioning;

namespace Portal.Core.Usage;

/// <summary>
/// Records the size of every live application's tenant database (<c>pg_database_size</c>, read on its region's
/// PostgreSQL with the administration connection) as a storage sample; hourly.
/// </summary>
public sealed partial class RecordTenantStorage(
    IDbContextFactory<PortalDbContext> dbFactory, TenantPostgres tenantPostgres, TimeProvider clock, ILogger<RecordTenantStorage> logger)
{
    private static readonly ApplicationStatus[] Measured =
        [ApplicationStatus.Active, ApplicationStatus.Restarting, ApplicationStatus.Suspended, ApplicationStatus.Failed];

    public async Task<int> ExecuteAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var applications = await db.Set<Application>().AsNoTracking()
            .Where(a => Measured.Contains(a.Status))
            .Select(a => new { a.Id, a.Region })
            .ToListAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var recorded = 0;
        foreach (var region in applications.GroupBy(a => a.Region))
        {
            var byDatabase = region.ToDictionary(a => TenantNames.Database(a.Id), a => a.Id, StringComparer.Ordinal);
            try
            {
                await using var connection = new NpgsqlConnection(tenantPostgres.AdminConnection(region.Key).ConnectionString);
                await connection.OpenAsync(cancellationToken);
                await using var command = new NpgsqlCommand(
                    "SELECT datname, pg_database_size(datname) FROM pg_database WHERE datname = ANY($1)", connection);
                command.Parameters.Add(new NpgsqlParameter { Value = byDatabase.Keys.ToArray() });
                await using var reader = await command.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken))
                {
                    db.Add(new UsageStorageSample { ApplicationId = byDatabase[reader.GetString(0)], MeasuredAt = now, Bytes = reader.GetInt64(1) });
                    recorded++;
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException or KeyNotFoundException)
            {
                // One unreachable (or no longer configured) region does not stop the others; the next hour measures again.
                LogRegionFailed(logger, region.Key, e.Message);
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        return recorded;
    }

    [LoggerMessage(LogLevel.Warning, "Tenant storage of region {Region} not measured: {Reason}")]
    private static partial void LogRegionFailed(ILogger logger, string region, string reason);
}
