using Hangfire;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Portal.Features.Operations;

/// <summary>Reads from Hangfire's storage through Hangfire itself, so a missing schema counts as unhealthy too.</summary>
public sealed class JobStorageHealthCheck(JobStorage storage) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.Run(() =>
        {
            try
            {
                using var connection = storage.GetConnection();
                connection.GetAllItemsFromSet("recurring-jobs");
                return HealthCheckResult.Healthy();
            }
            catch (Exception e) when (e is NpgsqlException or TimeoutException or InvalidOperationException)
            {
                return HealthCheckResult.Unhealthy("Hangfire storage is unreachable.", e);
            }
        }, cancellationToken);
}
