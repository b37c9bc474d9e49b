using System.Globalization;
using StackExchange.Redis;

namespace Portal.Benchmarks.Proxy;

/// <summary>
/// `proxy --portal EXE [--runs 5] [--duration 10s] [--connections 64] [--threads 1] [--rate 2000] [--full portal|bare]
/// [--keys-job short] [--metering-events 1000000] [--metering-runs 3] [--logs DIR]`, started by `./dev.sh bench proxy`
/// (which supplies the PostgreSQL and Redis connection strings in the environment): the issue's four proxy figures.
/// <list type="number">
/// <item>Throughput with <c>wrk</c>, bare YARP host vs the portal in the proxy role, alternating, same connections.</item>
/// <item>Latency at a fixed rate (open loop): the upstream directly, the bare host, the portal proxy.</item>
/// <item>The cached key verification in BenchmarkDotNet.</item>
/// <item>Metering ingestion into Redis.</item>
/// </list>
/// </summary>
internal static class ProxyBenchmark
{
    private const string Path = "/bench";
    private const string BenchRedisPrefix = "bench-proxy:";

    public static async Task<int> RunAsync(string[] args)
    {
        var runs = BenchArgs.Int(args, "--runs", 5);
        var duration = BenchArgs.Duration(args, "--duration", TimeSpan.FromSeconds(10));
        var connections = BenchArgs.Int(args, "--connections", 64);
        var threads = BenchArgs.Int(args, "--threads", 1);
        var rate = BenchArgs.Int(args, "--rate", 2000);
        var latencyDuration = BenchArgs.Duration(args, "--latency-duration", duration);
        var full = BenchArgs.String(args, "--full", "portal");
        var keysJob = BenchArgs.String(args, "--keys-job", "short");
        var meteringEvents = BenchArgs.Int(args, "--metering-events", 1_000_000);
        var meteringRuns = BenchArgs.Int(args, "--metering-runs", 3);
        var logs = BenchArgs.String(args, "--logs", System.IO.Path.GetTempPath());
        var postgres = Environment.GetEnvironmentVariable("ConnectionStrings__Portal")
            ?? throw new InvalidOperationException("ConnectionStrings__Portal is not set (./dev.sh bench proxy sets it).");
        var redisAddress = Environment.GetEnvironmentVariable("ConnectionStrings__Redis")
            ?? throw new InvalidOperationException("ConnectionStrings__Redis is not set (./dev.sh bench proxy sets it).");
        if (runs < 1 || connections < threads || rate < 1 || full is not ("portal" or "bare"))
        {
            await Console.Error.WriteLineAsync("Usage: proxy --portal EXE [--runs N>0] [--duration 10s] [--connections C>=threads] [--threads T] [--rate R] [--full portal|bare]");
            return 2;
        }

        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            cancel.Cancel();
        };
        var ct = cancel.Token;
        var self = System.IO.Path.Combine(AppContext.BaseDirectory, "Portal.Benchmarks");
        Directory.CreateDirectory(logs);

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{Environment.ProcessorCount} cores; wrk -t{threads} -c{connections} -d{duration.TotalSeconds:F0}s × {runs} runs each side; open loop {rate}/s for {latencyDuration.TotalSeconds:F0}s × {runs}"));

        await using var upstream = await ChildProcess.StartAsync("upstream", self, ["proxy-upstream", "--port", "{port}"],
            System.IO.Path.Combine(logs, "bench-proxy-upstream.log"));
        var key = await ProxyBenchSeed.SeedAsync(postgres, upstream.BaseUri, ct);
        var authorization = "Bearer " + key;

        // The portal is a Web SDK application and so runs the server GC; the bare host is started with it too.
        var serverGc = new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" };
        await using var bare = await ChildProcess.StartAsync("bare", self, ["proxy-bare", "--port", "{port}", "--upstream", upstream.BaseUri.ToString()],
            System.IO.Path.Combine(logs, "bench-proxy-bare.log"), serverGc);
        await using var proxy = full == "portal"
            ? await StartPortalAsync(BenchArgs.Value(args, "--portal") ?? throw new ArgumentException("--portal EXE is required"), logs, redisAddress)
            : await ChildProcess.StartAsync("bare (standing in for the portal)", self, ["proxy-bare", "--port", "{port}", "--upstream", upstream.BaseUri.ToString()],
                System.IO.Path.Combine(logs, "bench-proxy-bare2.log"), serverGc);

        var direct = new Uri(upstream.BaseUri, "/v1" + Path);
        var bareUrl = new Uri(bare.BaseUri, $"/v1/{ProxyBenchSeed.ApplicationId}{Path}");
        var fullUrl = new Uri(proxy.BaseUri, $"/v1/{ProxyBenchSeed.ApplicationId}{Path}");
        await CheckAsync("upstream", direct, null, ct);
        await CheckAsync("bare", bareUrl, null, ct);
        await CheckAsync(proxy.Name, fullUrl, authorization, ct);

        // Warm-up: JIT and tiered compilation, connection pools; not recorded.
        await WrkRun.RunAsync(bareUrl, null, threads, connections, TimeSpan.FromSeconds(3), ct);
        await WrkRun.RunAsync(fullUrl, authorization, threads, connections, TimeSpan.FromSeconds(3), ct);

        Console.WriteLine();
        Console.WriteLine("Throughput (wrk, requests/s)");
        // CPU per request (µs) of the proxy process and of Redis (INFO cpu) over each wrk run: where the cores went.
        Console.WriteLine($"{"run",4}{"bare",12}{"full",12}{"full/bare",12}   CPU µs/request: {"bare",6}{"full",7}{"redis",7}{"upstream",9}");
        var redisAdmin = ConfigurationOptions.Parse(redisAddress);
        redisAdmin.AllowAdmin = true; // INFO
        using var redisForCpu = await ConnectionMultiplexer.ConnectAsync(redisAdmin);
        async Task<(WrkRun Run, double ProxyCpu, double RedisCpu, double UpstreamCpu)> LoadAsync(Uri url, string? auth, ChildProcess server)
        {
            var (proxyBefore, redisBefore, upstreamBefore) = (server.CpuTime, await RedisCpuAsync(redisForCpu), upstream.CpuTime);
            var result = await WrkRun.RunAsync(url, auth, threads, connections, duration, ct);
            var requests = Math.Max(1, result.Requests);
            return (result, (server.CpuTime - proxyBefore).TotalMicroseconds / requests,
                (await RedisCpuAsync(redisForCpu) - redisBefore).TotalMicroseconds / requests, (upstream.CpuTime - upstreamBefore).TotalMicroseconds / requests);
        }

        var ratios = new List<double>();
        var bareRates = new List<double>();
        var fullRates = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            // The order alternates, so that a drift of the machine does not always favour the same side.
            (WrkRun Run, double ProxyCpu, double RedisCpu, double UpstreamCpu) bareLoad, fullLoad;
            if (run % 2 == 1)
            {
                bareLoad = await LoadAsync(bareUrl, null, bare);
                fullLoad = await LoadAsync(fullUrl, authorization, proxy);
            }
            else
            {
                fullLoad = await LoadAsync(fullUrl, authorization, proxy);
                bareLoad = await LoadAsync(bareUrl, null, bare);
            }

            var (bareRun, fullRun) = (bareLoad.Run, fullLoad.Run);
            var ratio = fullRun.RequestsPerSecond / bareRun.RequestsPerSecond;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run,4}{bareRun.RequestsPerSecond,12:N0}{fullRun.RequestsPerSecond,12:N0}{ratio,12:F3}                   {bareLoad.ProxyCpu,6:F0}{fullLoad.ProxyCpu,7:F0}{fullLoad.RedisCpu,7:F0}{fullLoad.UpstreamCpu,9:F0}{Problems(bareRun, fullRun)}"));
            if (bareRun.Clean && fullRun.Clean)
            {
                ratios.Add(ratio);
                bareRates.Add(bareRun.RequestsPerSecond);
                fullRates.Add(fullRun.RequestsPerSecond);
            }
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Latency at {rate:N0} requests/s, open loop (ms; latency from each request's send to the end of its body)"));
        Console.WriteLine($"{"run",4}{"direct p50",12}{"p99",8}{"bare p50",12}{"p99",8}{"full p50",12}{"p99",8}{"added p50",12}{"p99",8}");
        var latency = new Dictionary<string, List<LatencyRun>> { ["direct"] = [], ["bare"] = [], ["full"] = [] };
        var addedP50 = new List<double>();
        var addedP99 = new List<double>();
        for (var run = 1; run <= runs; run++)
        {
            var d = await OpenLoopLoad.RunAsync(direct, null, rate, latencyDuration, ct);
            var b = await OpenLoopLoad.RunAsync(bareUrl, null, rate, latencyDuration, ct);
            var f = await OpenLoopLoad.RunAsync(fullUrl, authorization, rate, latencyDuration, ct);
            latency["direct"].Add(d);
            latency["bare"].Add(b);
            latency["full"].Add(f);
            var problems = string.Join("; ", new[] { ("direct", d), ("bare", b), ("full", f) }
                .Where(x => x.Item2.Errors > 0 || x.Item2.LateSends > 0)
                .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Item1}: {x.Item2.Errors} errors, {x.Item2.LateSends} sends >2 ms late (max {x.Item2.MaxLagMs:F1} ms)")));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{run,4}{d.P50,12:F2}{d.P99,8:F2}{b.P50,12:F2}{b.P99,8:F2}{f.P50,12:F2}{f.P99,8:F2}{f.P50 - d.P50,12:F2}{f.P99 - d.P99,8:F2}  {problems}"));
            addedP50.Add(f.P50 - d.P50);
            addedP99.Add(f.P99 - d.P99);
        }

        // Context for the added latency: the full proxy makes one Redis round trip per request (the shared rate limit).
        var (redisP50, redisP99) = await RedisRoundTripAsync(redisAddress, ct);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Redis round trip (PING every ms, 2,000 samples) on this machine now: p50 {redisP50:F2} ms, p99 {redisP99:F2} ms"));

        string Medians(string side) => string.Create(CultureInfo.InvariantCulture,
            $"{side} p50 {Median(latency[side].Select(l => l.P50)):F2} p99 {Median(latency[side].Select(l => l.P99)):F2}");
        Console.WriteLine($"medians (ms): {Medians("direct")}; {Medians("bare")}; {Medians("full")}");

        // The servers stop before the in-process figures, so that they do not share the cores with them.
        await proxy.DisposeAsync();
        await bare.DisposeAsync();
        await upstream.DisposeAsync();
        await RemoveBenchKeysAsync(redisAddress);

        Console.WriteLine();
        Console.WriteLine($"Cached key verification (BenchmarkDotNet, job {keysJob})");
        // In process: BenchmarkDotNet's own build of the benchmark project (the portal included) takes minutes on a busy machine.
        var keys = KeyVerificationBenchmark.Measure(["--job", keysJob, "--inProcess", "--filter", "*Verify*"]);
        var accepted = keys.Reports.FirstOrDefault(r => r.BenchmarkCase.Descriptor.WorkloadMethod.Name == nameof(KeyVerificationBenchmark.Verify));
        var keyNs = accepted?.ResultStatistics?.Median;
        var keyBytes = accepted?.GcStats.GetBytesAllocatedPerOperation(accepted.BenchmarkCase);

        Console.WriteLine();
        Console.WriteLine($"Metering ingestion ({meteringEvents:N0} events × {meteringRuns} runs)");
        var metering = new List<double>();
        for (var run = 1; run <= meteringRuns; run++)
        {
            var (eventsPerSecond, dropped) = await MeteringBenchmark.MeasureAsync(redisAddress, meteringEvents, 2, 100);
            if (dropped == 0)
            {
                metering.Add(eventsPerSecond);
            }
        }

        Console.WriteLine();
        Console.WriteLine(full == "portal" ? "Summary" : "Summary (--full bare: the 'full' side is a second bare host, not the portal; ratio and added latency show the harness only)");
        Console.WriteLine($"{"figure",-52}{"median",16}{"goal",16}  ");
        Row("throughput full / bare (wrk)", ratios.Count > 0 ? F(Median(ratios), "0.000") : "no clean run", "≥ 0.80", ratios.Count > 0 && Median(ratios) >= 0.80,
            string.Create(CultureInfo.InvariantCulture, $"bare {Median(bareRates):N0}/s, full {Median(fullRates):N0}/s, {ratios.Count}/{runs} clean runs"));
        Row($"added latency p50 at {rate:N0}/s (full − direct)", F(Median(addedP50), "0.00") + " ms", "≤ 1 ms", Median(addedP50) <= 1,
            $"{Medians("direct")}, {Medians("full")}");
        Row($"added latency p99 at {rate:N0}/s (full − direct)", F(Median(addedP99), "0.00") + " ms", "≤ 5 ms", Median(addedP99) <= 5, "medians of the per-run differences");
        Row("cached key verifications per second per core", keyNs is > 0 ? F(1e9 / keyNs.Value, "N0") : "failed", "≥ 1,000,000",
            keyNs is > 0 && 1e9 / keyNs.Value >= 1_000_000 && keyBytes == 0, keyNs is > 0 ? $"{keyNs:F0} ns, {keyBytes} B allocated" : "");
        Row("metering ingestion into Redis, events/s", metering.Count > 0 ? F(Median(metering), "N0") : "dropped events", "≥ 100,000",
            metering.Count > 0 && Median(metering) >= 100_000, $"{metering.Count}/{meteringRuns} runs without drops");
        Console.WriteLine($"logs: {logs}/bench-proxy-*.log");
        return 0;

        static void Row(string name, string value, string goal, bool met, string note) =>
            Console.WriteLine($"{name,-52}{value,16}{goal,16}  {(met ? "met" : "NOT MET")}  {note}");
    }

    private static string F(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? double.NaN
            : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string Problems(WrkRun bare, WrkRun full) =>
        bare.Clean && full.Clean ? "" : $"  discarded: bare {bare.Non2xx} non-2xx, {bare.SocketErrors} socket errors; full {full.Non2xx} non-2xx, {full.SocketErrors} socket errors";

    /// <summary>
    /// The portal in the proxy role only, against the development PostgreSQL and Redis (the connection strings are
    /// inherited), with Redis keys under a prefix of the benchmark's and the enterprise rate limit out of the way.
    /// </summary>
    private static Task<ChildProcess> StartPortalAsync(string executable, string logs, string redisAddress)
    {
        var environment = new Dictionary<string, string>
        {
            ["ASPNETCORE_URLS"] = "http://127.0.0.1:{port}",
            ["Portal__Roles__0"] = "proxy",
            ["Portal__RedisKeyPrefix"] = BenchRedisPrefix + "portal:",
            // Required outside Development (the portal runs as Production here): a public URL and a key-encryption key
            // for the Data Protection key ring (a throw-away one; the benchmark's database is dropped afterwards).
            ["Portal__PublicUrl"] = "http://127.0.0.1/",
            ["DataProtection__KeyEncryptionKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["Proxy__RedisKeyPrefix"] = BenchRedisPrefix + "proxy:",
            ["Metering__RedisKeyPrefix"] = BenchRedisPrefix + "usage:",
            // 1,000,000/s: far above what two cores forward, and the limiter's largest (its emission interval is whole µs; above this it is 0 and the script fails).
            ["Proxy__Enterprise__Requests"] = "1000000",
            ["ConnectionStrings__Redis"] = redisAddress,
            ["Logging__LogLevel__Default"] = "Warning",
        };
        return ChildProcess.StartAsync("portal proxy", executable, [], System.IO.Path.Combine(logs, "bench-proxy-portal.log"), environment,
            System.IO.Path.GetDirectoryName(executable));
    }

    /// <summary>One request that must answer 200 with the upstream's 1 KB, so that no figure is made of refusals.</summary>
    private static async Task CheckAsync(string name, Uri url, string? authorization, CancellationToken ct)
    {
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request, ct);
        var body = await response.Content.ReadAsByteArrayAsync(ct);
        if ((int)response.StatusCode != 200 || body.Length != BenchUpstream.ResponseBytes)
        {
            var hint = name.StartsWith("portal", StringComparison.Ordinal) && (int)response.StatusCode == 404
                ? " (is the proxy host merged into this build? `--full bare` runs the harness with a second bare host)" : "";
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"{name} at {url} answered {(int)response.StatusCode} with {body.Length} bytes, not 200 with {BenchUpstream.ResponseBytes}{hint}"));
        }

        var headers = string.Join(", ", response.Headers.Where(h => h.Key.StartsWith("X-", StringComparison.OrdinalIgnoreCase))
            .Select(h => $"{h.Key}: {string.Join(",", h.Value)}"));
        Console.WriteLine($"{name}: 200, {body.Length} bytes{(headers.Length > 0 ? "; " + headers : "")}");
    }

    /// <summary>Redis's own CPU time so far (INFO cpu: used_cpu_user + used_cpu_sys).</summary>
    private static async Task<TimeSpan> RedisCpuAsync(ConnectionMultiplexer redis)
    {
        var info = (await redis.GetServers()[0].InfoAsync("cpu")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        return TimeSpan.FromSeconds(double.Parse(info["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(info["used_cpu_sys"], CultureInfo.InvariantCulture));
    }

    /// <summary>p50 and p99 (ms) of 2,000 PINGs one millisecond apart, as the proxy's rate limiter meets Redis.</summary>
    private static async Task<(double P50, double P99)> RedisRoundTripAsync(string redisAddress, CancellationToken ct)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(redisAddress);
        var db = redis.GetDatabase();
        var samples = new double[2000];
        for (var i = 0; i < samples.Length; i++)
        {
            samples[i] = (await db.PingAsync()).TotalMilliseconds;
            await Task.Delay(1, ct);
        }

        Array.Sort(samples);
        return (samples[(samples.Length / 2) - 1], samples[(samples.Length * 99 / 100) - 1]);
    }

    /// <summary>The proxy's key records, rate-limit state and usage counters of this run.</summary>
    private static async Task RemoveBenchKeysAsync(string redisAddress)
    {
        using var redis = await ConnectionMultiplexer.ConnectAsync(redisAddress);
        var db = redis.GetDatabase();
        await foreach (var key in redis.GetServers()[0].KeysAsync(pattern: BenchRedisPrefix + "*", pageSize: 1000))
        {
            await db.KeyDeleteAsync(key);
        }
    }
}
