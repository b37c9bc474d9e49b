using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Portal.Core;
using Portal.Hosting;

namespace Portal.Tests.Infrastructure;

/// <summary>
/// One real PostgreSQL server per test run (initdb in a temporary folder, a free port), with a template database that
/// has every migration and Hangfire's schema; each test class gets its own copy of it.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    private const string TemplateDatabase = "portal_template";
    private readonly SemaphoreSlim _createLock = new(1, 1);
    private string _directory = "";
    private string _binaries = "";
    private int _databases;

    public int Port { get; private set; }

    public string ConnectionString(string database) =>
        $"Host=127.0.0.1;Port={Port};Username=postgres;Database={database};Pooling=true;Maximum Pool Size=20";

    public async ValueTask InitializeAsync()
    {
        _binaries = Path.GetDirectoryName(Processes.FindExecutable("pg_ctl", PostgresBinDirectories()))!;
        _directory = Directory.CreateTempSubdirectory("authsome-tests-pg-").FullName;
        if (Processes.IsRoot)
        {
            await Processes.RunAsync("chown", "postgres:postgres", _directory);
        }

        var data = Path.Combine(_directory, "data");
        await Processes.RunAsPostgresAsync(Path.Combine(_binaries, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-sync");
        Port = Processes.FreePort();
        // Durability is not what tests measure: turning it off makes each test class's database copy fast.
        var options = $"-p {Port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={_directory} -c fsync=off " +
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=1000";
        await Processes.RunAsPostgresAsync(Path.Combine(_binaries, "pg_ctl"), "-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-o", options, "start");

        await ExecuteAsync("postgres", $"CREATE DATABASE {TemplateDatabase}");
        await MigrateTemplateAsync();
        NpgsqlConnection.ClearAllPools();
    }

    /// <summary>The schema comes from the portal's own `migrate` command code (EF Core migrations and Hangfire's tables).</summary>
    private async Task MigrateTemplateAsync()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Portal"] = ConnectionString(TemplateDatabase),
            ["ConnectionStrings:Redis"] = "127.0.0.1:1",
        }).Build();
        await using var services = new ServiceCollection().AddLogging().AddPortalCore(configuration).BuildServiceProvider();
        await PortalCommands.MigrateAsync(services, CancellationToken.None);
    }

    /// <summary>A new database with the full schema, for one test.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Interlocked.Increment(ref _databases)}";
        await _createLock.WaitAsync();
        try
        {
            await ExecuteAsync("postgres", $"CREATE DATABASE {name} TEMPLATE {TemplateDatabase}");
        }
        finally
        {
            _createLock.Release();
        }

        return ConnectionString(name);
    }

    public static PortalDbContext CreateContext(string connectionString) =>
        new(new DbContextOptionsBuilder<PortalDbContext>()
            .UseNpgsql(connectionString, npgsql => npgsql.MigrationsAssembly(PortalDbContext.MigrationsAssembly))
            .Options);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (Port != 0)
        {
            await Processes.RunAsPostgresAsync(Path.Combine(_binaries, "pg_ctl"), "-D", Path.Combine(_directory, "data"), "-m", "immediate", "stop");
        }

        Directory.Delete(_directory, recursive: true);
        _createLock.Dispose();
    }

    private async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database) + ";Pooling=false");
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static string[] PostgresBinDirectories() =>
        Directory.Exists("/usr/lib/postgresql")
            ? [.. Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => Version.TryParse(Path.GetFileName(d), out var v) ? v : new Version(0, 0)).Select(d => Path.Combine(d, "bin"))]
            : [];
}
