using System.Globalization;
using System.Reflection;
using Hangfire;
using Hangfire.PostgreSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Benchmarks;
using Portal.Core;
using Portal.Jobs;

// `kubernetes [--namespaces N] [--concurrency C]`: the Kubernetes API simulator under a provisioning-like load.
if (args.FirstOrDefault() == "kubernetes")
{
    return await KubernetesBenchmark.RunAsync(args[1..]);
}

// `provisioning [--apps N] [--fault-rate R] …`: N applications provisioned at once by the Hangfire worker, with and without faults.
if (args.FirstOrDefault() == "provisioning")
{
    return await Portal.Benchmarks.Provisioning.ProvisioningBenchmark.RunAsync(args[1..]);
}

// `proxy-keys [BenchmarkDotNet options]`: the proxy's cached key verification (BenchmarkDotNet, Release).
if (args.FirstOrDefault() == "proxy-keys")
{
    return KeyVerificationBenchmark.Run(args[1..]);
}

// `proxy-flood [--keys 50000] …` (started by `./dev.sh bench proxy-flood`): random keys against key verification, with and without the failed-lookup limiter.
if (args.FirstOrDefault() == "proxy-flood")
{
    return await Portal.Benchmarks.Proxy.KeyFloodBenchmark.RunAsync(args[1..]);
}

// `metering --redis host:port [--events N]`: usage events through the meter and its writer into Redis.
if (args.FirstOrDefault() == "metering")
{
    return await MeteringBenchmark.RunAsync(args[1..]);
}

// `proxy …` (started by `./dev.sh bench proxy`): the proxy's four figures; `proxy-upstream` and `proxy-bare` are its servers.
switch (args.FirstOrDefault())
{
    case "proxy":
        return await Portal.Benchmarks.Proxy.ProxyBenchmark.RunAsync(args[1..]);
    case "proxy-upstream":
        return await Portal.Benchmarks.Proxy.BenchUpstream.RunAsync(args[1..]);
    case "proxy-bare":
        return await Portal.Benchmarks.Proxy.BareProxyHost.RunAsync(args[1..]);
}

// `workspaces --url U`: the workspace pages and control API under 1,000 workspaces, 50,000 members, 200,000 events.
if (args.FirstOrDefault() == "workspaces")
{
    return await WorkspacesBenchmark.RunAsync(args[1..]);
}

// Hangfire's enqueue-to-start latency with the portal's own job storage and server settings (AddPortalJobs).
// `--jobs N` reaches the configuration as "jobs" through the host's command-line provider.
var builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var jobs = builder.Configuration.GetValue("jobs", 200);
if (jobs < 1)
{
    await Console.Error.WriteLineAsync("Usage: Portal.Benchmarks [--jobs N]  (N > 0; the burst enqueues 2.5 × N)");
    return 2;
}

await PrepareDatabaseAsync(builder.Configuration.GetRequiredConnectionString("Portal"));
builder.Services.AddSingleton<LatencyCollector>();
builder.Services.AddPortalJobs(builder.Configuration, runWorker: true);

using var host = builder.Build();
await host.StartAsync();
var client = host.Services.GetRequiredService<IBackgroundJobClient>();
var collector = host.Services.GetRequiredService<LatencyCollector>();

// The warm-up pays for JIT, connection pool and the server's first fetch; its figures are dropped.
await MeasureAsync(20, () => Task.Delay(20));
var results = new (string Name, List<TimeSpan> Latencies)[]
{
    // An idle worker between jobs: the pick-up goes through LISTEN/NOTIFY (long polling).
    ("sequential", await MeasureAsync(jobs, () => Task.Delay(Random.Shared.Next(20, 151)))),
    ("burst", await MeasureAsync(jobs * 5 / 2, () => Task.CompletedTask)),
};

// The figures are only meaningful with the settings actually in force, so they are read back from the running
// storage (its options are internal) and server rather than restated.
var storage = host.Services.GetRequiredService<JobStorage>();
var storageOptions = (PostgreSqlStorageOptions)(typeof(PostgreSqlStorage)
    .GetProperty("Options", BindingFlags.Instance | BindingFlags.NonPublic)?.GetValue(storage)
    ?? throw new InvalidOperationException("Cannot read PostgreSqlStorage's options."));
var server = storage.GetMonitoringApi().Servers().Single();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"Hangfire.PostgreSql: QueuePollInterval {storageOptions.QueuePollInterval.TotalSeconds} s, long polling {(storageOptions.EnableLongPolling ? "on" : "off")}, " +
    $"{server.WorkersCount} workers on queues {string.Join(", ", server.Queues)}"));
Console.WriteLine();
Console.WriteLine($"{"scenario",-12}{"count",7}{"median",10}{"p95",10}{"p99",10}{"max",10}   (ms)");
foreach (var (name, latencies) in results)
{
    var ms = latencies.Select(l => l.TotalMilliseconds).Order().ToArray();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"{name,-12}{ms.Length,7}{Percentile(ms, 0.50),10:F1}{Percentile(ms, 0.95),10:F1}{Percentile(ms, 0.99),10:F1}{ms[^1],10:F1}"));
}

await host.StopAsync();
return 0;

async Task<List<TimeSpan>> MeasureAsync(int count, Func<Task> pause)
{
    for (var i = 0; i < count; i++)
    {
        var enqueuedAt = DateTime.UtcNow.Ticks;
        client.Enqueue<LatencyProbeJob>(probe => probe.Run(enqueuedAt));
        await pause();
    }

    return await collector.TakeAsync(count, TimeSpan.FromMinutes(2));
}

// Nearest-rank percentile of sorted values.
static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];

// The bench database is throw-away: created on first use, and its Hangfire schema rebuilt on every run so that
// probes left enqueued by an aborted run cannot land in this run's figures.
static async Task PrepareDatabaseAsync(string connectionString)
{
    var database = new NpgsqlConnectionStringBuilder(connectionString).Database
        ?? throw new InvalidOperationException("ConnectionStrings:Portal names no database.");
    var maintenance = new NpgsqlConnectionStringBuilder(connectionString) { Database = "postgres" };
    await using (var postgres = NpgsqlDataSource.Create(maintenance.ConnectionString))
    {
        await using var exists = postgres.CreateCommand("SELECT 1 FROM pg_database WHERE datname = $1");
        exists.Parameters.Add(new NpgsqlParameter { Value = database });
        if (await exists.ExecuteScalarAsync() is null)
        {
            await using var create = postgres.CreateCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"");
            await create.ExecuteNonQueryAsync();
        }
    }

    await using var dataSource = NpgsqlDataSource.Create(connectionString);
    await using (var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {JobsOptions.Schema} CASCADE"))
    {
        await drop.ExecuteNonQueryAsync();
    }

    await JobsServiceCollectionExtensions.InstallJobStorageAsync(dataSource, CancellationToken.None);
}
