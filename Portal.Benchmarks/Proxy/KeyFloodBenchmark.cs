using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core;
using Portal.Core.ApiKeys;
using Portal.Core.Applications;
using Portal.Core.Changes;
using Portal.Core.Proxy;
using Portal.Core.RateLimiting;
using StackExchange.Redis;

namespace Portal.Benchmarks.Proxy;

/// <summary>
/// <c>proxy-flood [--keys 50000] [--good 200] [--concurrency 64] [--limit 60]</c> (started by <c>./dev.sh bench proxy-flood</c>,
/// which supplies the PostgreSQL and Redis connection strings): random well-formed keys from one address against the
/// proxy's key verification (in process, real Redis, real PostgreSQL), while good keys are verified from another
/// address. Twice: with the failed-lookup limiter at <c>--limit</c> per minute and with it out of reach (what every
/// unknown key cost before). Prints the database queries the flood caused (EF Core commands on ApiKeys) and the
/// good keys' p50/p99 verification latency during the flood against a run without it.
/// </summary>
internal static class KeyFloodBenchmark
{
    private static readonly IPAddress Attacker = IPAddress.Parse("203.0.113.66");
    private static readonly IPAddress Customer = IPAddress.Parse("198.51.100.7");

    public static async Task<int> RunAsync(string[] args)
    {
        var keys = int.Parse(BenchArgs.Value(args, "--keys") ?? "50000", CultureInfo.InvariantCulture);
        var goodCount = int.Parse(BenchArgs.Value(args, "--good") ?? "200", CultureInfo.InvariantCulture);
        var concurrency = int.Parse(BenchArgs.Value(args, "--concurrency") ?? "64", CultureInfo.InvariantCulture);
        var limit = int.Parse(BenchArgs.Value(args, "--limit") ?? "60", CultureInfo.InvariantCulture);
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Portal")
            ?? throw new InvalidOperationException("ConnectionStrings__Portal is not set (./dev.sh bench proxy-flood sets it).");
        var redisAddress = Environment.GetEnvironmentVariable("ConnectionStrings__Redis")
            ?? throw new InvalidOperationException("ConnectionStrings__Redis is not set (./dev.sh bench proxy-flood sets it).");

        var good = await SeedGoodKeysAsync(postgres, goodCount);
        using var counter = new CommandCounter();
        Console.WriteLine($"{keys:N0} random keys from one address ({concurrency} at once), {goodCount} good keys verified meanwhile from another");
        Console.WriteLine($"{"limiter",-22}{"flood s",9}{"DB queries",12}{"429",9}{"401",9}{"good p50 µs",13}{"good p99 µs",13}{"alone p50",11}{"alone p99",11}");
        foreach (var (name, perMinute) in new[] { ($"{limit}/min per address", limit), ("off (as before)", int.MaxValue) })
        {
            var factory = new PooledDbContextFactory<PortalDbContext>(new DbContextOptionsBuilder<PortalDbContext>().UseNpgsql(postgres).Options);
            var redisOptions = ConfigurationOptions.Parse(redisAddress);
            await using var redis = await ConnectionMultiplexer.ConnectAsync(redisOptions);
            var prefix = $"bench-flood-{Guid.NewGuid():N}:";
            var failures = new FailedAuthenticationLimiter(redis,
                Options.Create(new FailedAuthenticationOptions { PerMinutePerAddress = perMinute, RedisKeyPrefix = prefix + "authfail:" }),
                TimeProvider.System, NullLogger<FailedAuthenticationLimiter>.Instance);
            using var changes = new ChangeChannel(redis, prefix, TimeProvider.System, NullLogger<ChangeChannel>.Instance);
            using var verifier = new ProxyKeyVerifier(redis, new ApiKeyLookup(factory, TimeProvider.System), failures, changes,
                Options.Create(new ProxyKeyOptions { RedisKeyPrefix = prefix + "proxy:" }), TimeProvider.System, NullLogger<ProxyKeyVerifier>.Instance);
            await verifier.Listening;

            // Warm: every good key once (database, then both caches).
            foreach (var key in good)
            {
                Check(await verifier.VerifyAsync(key, ProxyBenchSeed.ApplicationId, Customer));
            }

            var alone = await GoodLatenciesAsync(verifier, good, TimeSpan.FromSeconds(2), CancellationToken.None);

            var before = counter.Count;
            using var flooding = new CancellationTokenSource();
            var during = GoodLatenciesAsync(verifier, good, TimeSpan.FromHours(1), flooding.Token);
            var clock = Stopwatch.StartNew();
            var (refused, unknown) = await FloodAsync(verifier, keys, concurrency);
            var floodTime = clock.Elapsed;
            await flooding.CancelAsync();
            var duringFlood = await during;
            var queries = counter.Count - before;

            Console.WriteLine($"{name,-22}{floodTime.TotalSeconds,9:F1}{queries,12:N0}{refused,9:N0}{unknown,9:N0}" +
                $"{Percentile(duringFlood, 0.5),13:F1}{Percentile(duringFlood, 0.99),13:F1}{Percentile(alone, 0.5),11:F1}{Percentile(alone, 0.99),11:F1}");
        }

        return 0;
    }

    private static void Check(KeyVerification verification)
    {
        if (!verification.Succeeded)
        {
            throw new InvalidOperationException($"A good key was refused: {verification.Refusal}.");
        }
    }

    private static async Task<(int Refused, int Unknown)> FloodAsync(ProxyKeyVerifier verifier, int keys, int concurrency)
    {
        var refused = 0;
        var unknown = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < keys)
            {
                var result = await verifier.VerifyAsync(ApiKeyFormat.New(ApiKeyType.Secret, ApplicationEnvironment.Production), ProxyBenchSeed.ApplicationId, Attacker);
                Interlocked.Increment(ref result.Refusal == KeyRefusal.TooManyFailures ? ref refused : ref unknown);
            }
        })));
        return (refused, unknown);
    }

    /// <summary>Good keys verified one after another (µs each) until <paramref name="stop"/> or <paramref name="duration"/>.</summary>
    private static Task<List<double>> GoodLatenciesAsync(ProxyKeyVerifier verifier, List<string> good, TimeSpan duration, CancellationToken stop) =>
        Task.Run(async () =>
        {
            var latencies = new List<double>();
            var clock = Stopwatch.StartNew();
            var i = 0;
            while (!stop.IsCancellationRequested && clock.Elapsed < duration)
            {
                var started = Stopwatch.GetTimestamp();
                Check(await verifier.VerifyAsync(good[i++ % good.Count], ProxyBenchSeed.ApplicationId, Customer));
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMicroseconds);
                // A customer's steady traffic, not a spin: the flood gets the cores it asks for.
                if (i % 100 == 0)
                {
                    await Task.Delay(1, CancellationToken.None);
                }
            }

            return latencies;
        }, CancellationToken.None);

    private static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)(p * sorted.Count))];
    }

    private static async Task<List<string>> SeedGoodKeysAsync(string postgres, int count)
    {
        await ProxyBenchSeed.SeedAsync(postgres, new Uri("http://127.0.0.1:9"), CancellationToken.None);
        await using var db = new PortalDbContext(new DbContextOptionsBuilder<PortalDbContext>().UseNpgsql(postgres).Options);
        var now = DateTimeOffset.UtcNow;
        var keys = new List<string>();
        for (var i = 0; i < count; i++)
        {
            var key = ApiKeyFormat.New(ApiKeyType.Secret, ApplicationEnvironment.Production);
            keys.Add(key);
            db.Add(new ApiKey
            {
                ApplicationId = ProxyBenchSeed.ApplicationId,
                Name = "flood benchmark " + i,
                Type = ApiKeyType.Secret,
                DisplayPrefix = ApiKeyFormat.Display(key),
                Hash = ApiKeyFormat.Hash(key),
                Scopes = ["*"],
                CreatedAt = now,
            });
        }

        await db.SaveChangesAsync();
        return keys;
    }

    /// <summary>EF Core commands on the ApiKeys table, seen through its DiagnosticListener.</summary>
    private sealed class CommandCounter : IObserver<DiagnosticListener>, IObserver<KeyValuePair<string, object?>>, IDisposable
    {
        private readonly IDisposable _all;
        private int _count;

        public CommandCounter() => _all = DiagnosticListener.AllListeners.Subscribe(this);

        public int Count => Volatile.Read(ref _count);

        public void OnNext(DiagnosticListener value)
        {
            if (value.Name == DbLoggerCategory.Name)
            {
                value.Subscribe(this, name => name == RelationalEventId.CommandExecuting.Name);
            }
        }

        public void OnNext(KeyValuePair<string, object?> value)
        {
            if (value.Value is CommandEventData data && data.Command.CommandText.Contains("\"ApiKeys\"", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _count);
            }
        }

        public void OnCompleted()
        {
        }

        public void OnError(Exception error)
        {
        }

        public void Dispose() => _all.Dispose();
    }
}
