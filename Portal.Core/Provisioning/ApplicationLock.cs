using Npgsql;

namespace Portal.Core.Provisioning;

/// <summary>
/// The per-application PostgreSQL advisory lock (session level, on a connection of its own) that every change of an
/// application's instance holds: a provisioning run, a configuration roll and a teardown never run at the same time.
/// </summary>
public sealed class ApplicationLock : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly string _applicationId;

    private ApplicationLock(NpgsqlConnection connection, string applicationId)
    {
        _connection = connection;
        _applicationId = applicationId;
    }

    /// <summary>The lock, or null when someone else holds it.</summary>
    public static async Task<ApplicationLock?> TryAcquireAsync(NpgsqlDataSource dataSource, string applicationId, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@key, 0))", connection);
            command.Parameters.AddWithValue("key", Key(applicationId));
            if ((bool)(await command.ExecuteScalarAsync(cancellationToken))!)
            {
                return new ApplicationLock(connection, applicationId);
            }
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        await connection.DisposeAsync();
        return null;
    }

    private static string Key(string applicationId) => "provisioning:" + applicationId;

    public async ValueTask DisposeAsync()
    {
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended(@key, 0))", _connection);
            command.Parameters.AddWithValue("key", Key(_applicationId));
            await command.ExecuteScalarAsync(CancellationToken.None);
        }
        finally
        {
            // Closing the session releases the lock in any case.
            await _connection.DisposeAsync();
        }
    }
}
