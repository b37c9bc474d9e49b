using System.Diagnostics;
using System.Net;

namespace Portal.Benchmarks.Proxy;

/// <summary>
/// Open-loop load at a fixed rate: request i is sent at start + i / rate whether or not earlier ones have answered
/// (a pacing thread hands them to the pool; nothing waits on responses), and its latency is measured from its send
/// to the end of its body. Every latency is kept (rate × seconds longs), so percentiles are exact.
/// </summary>
internal static class OpenLoopLoad
{
    public static async Task<LatencyRun> RunAsync(Uri url, string? authorization, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        using var client = new HttpMessageInvoker(new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            UseCookies = false,
            AutomaticDecompression = DecompressionMethods.None,
            MaxConnectionsPerServer = 512,
        });

        // Warm-up: connections opened and code jitted on both ends; not recorded.
        await PaceAsync(client, url, authorization, rate, TimeSpan.FromSeconds(2), cancellationToken);
        return await PaceAsync(client, url, authorization, rate, duration, cancellationToken);
    }

    private static async Task<LatencyRun> PaceAsync(HttpMessageInvoker client, Uri url, string? authorization, int rate, TimeSpan duration, CancellationToken cancellationToken)
    {
        var count = (int)(rate * duration.TotalSeconds);
        var latencies = new long[count];
        var pending = new Task[count];
        var errors = 0;
        long maxLag = 0;
        long lateSends = 0;
        var frequency = Stopwatch.Frequency;

        async Task SendAsync(int i)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (authorization is not null)
            {
                request.Headers.TryAddWithoutValidation("Authorization", authorization);
            }

            var sent = Stopwatch.GetTimestamp();
            try
            {
                using var response = await client.SendAsync(request, cancellationToken);
                await response.Content.CopyToAsync(Stream.Null, cancellationToken);
                latencies[i] = Stopwatch.GetTimestamp() - sent;
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    Interlocked.Increment(ref errors);
                }
            }
            catch (HttpRequestException)
            {
                latencies[i] = Stopwatch.GetTimestamp() - sent;
                Interlocked.Increment(ref errors);
            }
        }

        // A dedicated thread paces: Thread.Sleep(1) on Linux wakes ~1 ms later, so at 2,000/s requests leave in
        // pairs; each one's latency starts at its actual send, and sends more than 2 ms late are counted.
        var pacer = new Thread(() =>
        {
            var start = Stopwatch.GetTimestamp();
            for (var i = 0; i < count; i++)
            {
                var due = start + (i * frequency / rate);
                long now;
                while ((now = Stopwatch.GetTimestamp()) < due)
                {
                    // No spinning: the load generator shares two cores with the proxy and the upstream.
                    Thread.Sleep(1);
                }

                var lag = now - due;
                maxLag = Math.Max(maxLag, lag);
                if (lag > frequency / 500)
                {
                    lateSends++;
                }

                var index = i;
                pending[i] = Task.Run(() => SendAsync(index), cancellationToken);
            }
        })
        { IsBackground = true, Name = "open-loop pacer", Priority = ThreadPriority.AboveNormal };
        pacer.Start();
        await Task.Run(pacer.Join, cancellationToken);
        await Task.WhenAll(pending);

        Array.Sort(latencies);
        return new LatencyRun(count, errors, Ms(Percentile(latencies, 0.50)), Ms(Percentile(latencies, 0.99)), Ms(latencies[^1]),
            Ms(maxLag), lateSends);

        double Ms(long ticks) => ticks * 1000.0 / frequency;
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static long Percentile(long[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
