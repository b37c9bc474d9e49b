using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Portal.Core.Provisioning;

/// <summary>The tenant databases and login roles of each region's PostgreSQL, ensured check-then-create.</summary>
public sealed class TenantPostgres(IOptions<ProvisioningOptions> options, NpgsqlDataSource controlDatabase)
{
    private const string DuplicateObject = "42710";
    private const string DuplicateDatabase = "42P04";

    public NpgsqlConnectionStringBuilder AdminConnection(string region) => new(options.Value.Region(region).PostgresAdmin);

    /// <summary>
    /// Ensures the login role with this password, then the database it owns, which only that role may connect to.
    /// The password reaches the server only as a SCRAM verifier, so it is in no statement text or server log.
    /// </summary>
    public async Task EnsureAsync(string region, string database, string role, string password, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnection(region).ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var verifier = ScramVerifier(password);
        if (!await ExistsAsync(connection, "SELECT 1 FROM pg_roles WHERE rolname = @name", role, cancellationToken))
        {
            await ExecuteAsync(connection, $"CREATE ROLE {Quote(role)} LOGIN NOINHERIT PASSWORD '{verifier}'", DuplicateObject, cancellationToken);
        }

        // Also when the role exists: converges a role left with an older password.
        await ExecuteAsync(connection, $"ALTER ROLE {Quote(role)} WITH LOGIN PASSWORD '{verifier}'", null, cancellationToken);

        // CREATE DATABASE cannot run in a transaction: check, create, and accept a concurrent creation.
        if (!await ExistsAsync(connection, "SELECT 1 FROM pg_database WHERE datname = @name", database, cancellationToken))
        {
            await ExecuteAsync(connection, $"CREATE DATABASE {Quote(database)} OWNER {Quote(role)}", DuplicateDatabase, cancellationToken);
        }

        await EnsureSchemaOwnerAsync(region, database, role, cancellationToken);
        await ExecuteAsync(connection,
            $"ALTER DATABASE {Quote(database)} OWNER TO {Quote(role)}; REVOKE ALL ON DATABASE {Quote(database)} FROM PUBLIC; GRANT CONNECT, TEMPORARY ON DATABASE {Quote(database)} TO {Quote(role)}",
            null, cancellationToken);
        await ClosePublicDatabasesAsync(connection, OurDatabases(region), cancellationToken);
    }

    /// <summary>Which of the tenant's database and role are missing from the server (for drift reports).</summary>
    public async Task<IReadOnlyList<string>> MissingAsync(string region, string database, string role, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnection(region).ConnectionString);
        await connection.OpenAsync(cancellationToken);
        var missing = new List<string>();
        if (!await ExistsAsync(connection, "SELECT 1 FROM pg_database WHERE datname = @name", database, cancellationToken))
        {
            missing.Add($"database {database}");
        }

        if (!await ExistsAsync(connection, "SELECT 1 FROM pg_roles WHERE rolname = @name", role, cancellationToken))
        {
            missing.Add($"role {role}");
        }

        return missing;
    }

    /// <summary>
    /// Drops the tenant database (terminating its connections: <c>WITH (FORCE)</c>, PostgreSQL 13 or later), then its
    /// role. Either may be gone already: running it again is harmless.
    /// </summary>
    public async Task DropAsync(string region, string database, string role, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(AdminConnection(region).ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"DROP DATABASE IF EXISTS {Quote(database)} WITH (FORCE)", null, cancellationToken);
        await ExecuteAsync(connection, $"DROP ROLE IF EXISTS {Quote(role)}", null, cancellationToken);
    }

    /// <summary>The tenant owns its database's public schema (a template may leave it to the administrator).</summary>
    private async Task EnsureSchemaOwnerAsync(string region, string database, string role, CancellationToken cancellationToken)
    {
        var builder = AdminConnection(region);
        builder.Database = database;
        builder.Pooling = false;
        await using var connection = new NpgsqlConnection(builder.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await ExecuteAsync(connection, $"ALTER SCHEMA public OWNER TO {Quote(role)}", null, cancellationToken);
    }

    /// <summary>
    /// The other databases of the tenant server that are ours: the administrator's (maintenance) database, and the
    /// portal's control database when it shares the server (development). Databases of anyone else are left alone.
    /// </summary>
    private string[] OurDatabases(string region)
    {
        var admin = AdminConnection(region);
        var control = new NpgsqlConnectionStringBuilder(controlDatabase.ConnectionString);
        var ours = new List<string> { admin.Database ?? admin.Username ?? "postgres" };
        if (string.Equals(control.Host, admin.Host, StringComparison.OrdinalIgnoreCase) && control.Port == admin.Port && control.Database is { } name)
        {
            ours.Add(name);
        }

        return [.. ours.Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Those of <paramref name="databases"/> that PUBLIC may still connect to are closed, so that a tenant role reaches only its own.</summary>
    private static async Task ClosePublicDatabasesAsync(NpgsqlConnection connection, string[] databases, CancellationToken cancellationToken)
    {
        var open = new List<string>();
        await using (var command = new NpgsqlCommand(
            """
            SELECT datname FROM pg_database
            WHERE datname = ANY(@names) AND NOT datistemplate AND datallowconn
              AND (datacl IS NULL OR EXISTS (SELECT 1 FROM aclexplode(datacl) a WHERE a.grantee = 0 AND a.privilege_type = 'CONNECT'))
            """, connection))
        {
            command.Parameters.AddWithValue("names", databases);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                open.Add(reader.GetString(0));
            }
        }

        foreach (var name in open)
        {
            await ExecuteAsync(connection, $"REVOKE CONNECT, TEMPORARY ON DATABASE {Quote(name)} FROM PUBLIC", null, cancellationToken);
        }
    }

    private static async Task<bool> ExistsAsync(NpgsqlConnection connection, string sql, string name, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddWithValue("name", name);
        return await command.ExecuteScalarAsync(cancellationToken) is not null;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, string? acceptedSqlState, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        try
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
        catch (PostgresException e) when (e.SqlState == acceptedSqlState)
        {
            // Created meanwhile by someone else: the ensure holds.
        }
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>The SCRAM-SHA-256 verifier PostgreSQL stores for a password (RFC 5802, 4096 iterations).</summary>
    public static string ScramVerifier(string password)
    {
        const int iterations = 4096;
        var salt = RandomNumberGenerator.GetBytes(16);
        var salted = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, 32);
        var storedKey = SHA256.HashData(HMACSHA256.HashData(salted, "Client Key"u8));
        var serverKey = HMACSHA256.HashData(salted, "Server Key"u8);
        return $"SCRAM-SHA-256${iterations}:{Convert.ToBase64String(salt)}${Convert.ToBase64String(storedKey)}:{Convert.ToBase64String(serverKey)}";
    }
}
