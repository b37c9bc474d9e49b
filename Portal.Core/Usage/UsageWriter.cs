using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Portal.Core.Usage;

/// <summary>
/// Drains <see cref="UsageMeter"/>'s channel into an aggregated batch and sends the batches to Redis (pipelined
/// script calls, each applied exactly once). While Redis is unreachable, sealed batches wait in order and are sent
/// when it returns; past <see cref="MeteringOptions.MaxBufferedEvents"/>, draining stops and the channel drops.
/// Not thread-safe: one loop (<see cref="UsageWriterService"/>) or one test drives it.
/// </summary>
public sealed partial class UsageWriter(UsageMeter meter, IConnectionMultiplexer redis, IOptions<MeteringOptions> options, TimeProvider clock, ILogger<UsageWriter> logger)
{
    private readonly MeteringKeys _keys = new(options.Value.RedisKeyPrefix);
    private readonly Queue<UsageBatch> _unsent = new();
    private UsageBatch _current = new();
    private long _unsentEvents;

    /// <summary>Events taken from the channel and not yet in Redis.</summary>
    public long BufferedEvents => _unsentEvents + _current.Events;

    /// <summary>Events sent to Redis since start.</summary>
    public long FlushedEvents { get; private set; }

    /// <summary>Moves what waits in the channel into the current batch, within the buffer's bound; returns how many.</summary>
    public int Drain()
    {
        var reader = meter.Reader;
        var room = options.Value.MaxBufferedEvents - BufferedEvents;
        var taken = 0;
        while (taken < room && reader.TryRead(out var usage))
        {
            _current.Add(usage);
            taken++;
        }

        return taken;
    }

    /// <summary>Sends the waiting batches and the current one; false when Redis failed (they stay, in order, for the next try).</summary>
    public async Task<bool> FlushAsync()
    {
        if (_current.Events > 0)
        {
            _current.Seal(_keys, options.Value.MauRetention);
            _unsent.Enqueue(_current);
            _unsentEvents += _current.Events;
            _current = new UsageBatch();
        }

        var database = redis.GetDatabase();
        while (_unsent.TryPeek(out var batch))
        {
            var calls = batch.Calls!;
            try
            {
                // Every call of the batch goes out at once (pipelined); those a failed attempt applied are skipped by their token.
                var sends = new Task[calls.Count];
                for (var i = 0; i < calls.Count; i++)
                {
                    sends[i] = database.ScriptEvaluateAsync(UsageBatch.FlushScript, null, calls[i]);
                }

                await Task.WhenAll(sends);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
            {
                LogFlushFailed(logger, BufferedEvents, e.Message);
                return false;
            }

            _unsent.Dequeue();
            _unsentEvents -= batch.Events;
            FlushedEvents += batch.Events;
        }

        return true;
    }

    /// <summary>The writer's loop: drain as events come, flush every <see cref="MeteringOptions.FlushInterval"/>, and once more at stop.</summary>
    internal async Task RunAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.FlushInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            // The flush interval runs on the app's clock, so that tests move it instead of waiting.
            using var due = new CancellationTokenSource(interval, clock);
            using var tick = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, due.Token);
            try
            {
                while (!tick.IsCancellationRequested)
                {
                    if (Drain() == 0 || BufferedEvents >= options.Value.MaxBufferedEvents)
                    {
                        await meter.Reader.WaitToReadAsync(tick.Token);
                        if (BufferedEvents >= options.Value.MaxBufferedEvents)
                        {
                            await Task.Delay(Timeout.Infinite, tick.Token);
                        }
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }

            await FlushAsync();
        }

        Drain();
        await FlushAsync();
    }

    [LoggerMessage(LogLevel.Warning, "Usage not sent to Redis ({Buffered} events kept for the next try): {Reason}")]
    private static partial void LogFlushFailed(ILogger logger, long buffered, string reason);
}
