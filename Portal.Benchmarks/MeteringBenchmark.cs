using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Portal.Core.Usage;
using StackExchange.Redis;

namespace Portal.Benchmarks;

/// <summary>
/// `metering --redis host:port [--events N] [--producers P] [--apps A]`: N usage events recorded by P threads over A
/// applications (10 % with a MAU user id), and the time until the background writer has put them all in Redis.
/// </summary>
internal static class MeteringBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Arg(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var redisAddress = Arg("--redis") ?? "127.0.0.1:6379";
        var events = int.Parse(Arg("--events") ?? "2000000", CultureInfo.InvariantCulture);
        var producers = int.Parse(Arg("--producers") ?? "2", CultureInfo.InvariantCulture);
        var apps = int.Parse(Arg("--apps") ?? "100", CultureInfo.InvariantCulture);
        var result = await MeasureAsync(redisAddress, events, producers, apps);
        return result.Dropped == 0 ? 0 : 1;
    }

    /// <summary>One measurement; prints its line and returns the events per second and how many were dropped.</summary>
    public static async Task<(double EventsPerSecond, long Dropped)> MeasureAsync(string redisAddress, int events, int producers, int apps)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(redisAddress);
        var options = Options.Create(new MeteringOptions
        {
            RedisKeyPrefix = $"bench-{Guid.NewGuid():N}:usage:",
            // Sized so that nothing is dropped: the figure is the writer's throughput, not the channel's bound.
            ChannelCapacity = events,
        });
        var meter = new UsageMeter(options);
        var writer = new UsageWriter(meter, redis, options, TimeProvider.System, NullLogger<UsageWriter>.Instance);
        using var service = new UsageWriterService(writer);
        var applicationIds = Enumerable.Range(0, apps).Select(i => $"app_bench{i:D5}").ToArray();
        var keyIds = Enumerable.Range(0, apps * 2).Select(i => $"key_bench{i:D5}").ToArray();
        var userIds = Enumerable.Range(0, 50_000).Select(i => $"user_{i}").ToArray();

        await service.StartAsync(CancellationToken.None);
        var clock = Stopwatch.StartNew();
        var recordTicks = new long[producers];
        await Task.WhenAll(Enumerable.Range(0, producers).Select(p => Task.Run(() =>
        {
            var random = new Random(p);
            var started = Stopwatch.GetTimestamp();
            for (var i = p; i < events; i += producers)
            {
                var app = random.Next(apps);
                meter.Record(new UsageEvent(applicationIds[app], keyIds[(app * 2) + (i & 1)], i % 50 == 0 ? 500 : 200,
                    random.Next(200, 2_000), random.Next(200, 20_000), random.Next(300, 200_000),
                    i % 10 == 0 ? userIds[random.Next(userIds.Length)] : null, DateTimeOffset.UtcNow));
            }

            recordTicks[p] = Stopwatch.GetTimestamp() - started;
        })));
        var recorded = clock.Elapsed;
        while (writer.FlushedEvents + meter.Dropped < events)
        {
            await Task.Delay(5);
        }

        var total = clock.Elapsed;
        await service.StopAsync(CancellationToken.None);

        var nsPerRecord = recordTicks.Average() * 1e9 / Stopwatch.Frequency / (events / (double)producers);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{events:N0} events, {producers} producers, {apps} applications: recorded in {recorded.TotalMilliseconds:F0} ms ({nsPerRecord:F0} ns per Record), " +
            $"all in Redis after {total.TotalMilliseconds:F0} ms = {events / total.TotalSeconds:N0} events/s; dropped {meter.Dropped}"));

        // Cleans up the benchmark's keys.
        var server = redis.GetServers()[0];
        var db = redis.GetDatabase();
        await foreach (var key in server.KeysAsync(pattern: options.Value.RedisKeyPrefix + "*", pageSize: 1000))
        {
            await db.KeyDeleteAsync(key);
        }

        return (events / total.TotalSeconds, meter.Dropped);
    }
}
