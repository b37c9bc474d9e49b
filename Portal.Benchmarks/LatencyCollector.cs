using System.Threading.Channels;

namespace Portal.Benchmarks;

/// <summary>Gathers the probes' latencies from Hangfire's worker threads.</summary>
public sealed class LatencyCollector
{
    private readonly Channel<TimeSpan> _latencies = Channel.CreateUnbounded<TimeSpan>();

    public void Record(TimeSpan latency) => _latencies.Writer.TryWrite(latency);

    /// <summary>Waits for <paramref name="count"/> latencies: a worker that stops picking up jobs fails the run rather than hanging it.</summary>
    public async Task<List<TimeSpan>> TakeAsync(int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var taken = new List<TimeSpan>(count);
        try
        {
            while (taken.Count < count)
            {
                taken.Add(await _latencies.Reader.ReadAsync(cts.Token));
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Only {taken.Count} of {count} probe jobs started within {timeout.TotalSeconds:0} s.");
        }

        return taken;
    }
}
