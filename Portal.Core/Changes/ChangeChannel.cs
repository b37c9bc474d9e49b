using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace Portal.Core.Changes;

/// <summary>
/// The one "something changed, refresh" notification between portal processes (web, worker, proxy): a process
/// publishes a <see cref="ChangeTopic"/> and an id, and the listeners of that topic in every process hear it.
/// <see cref="Publish(ChangeTopic, string)"/> is best effort and never fails the caller: a lost notification only
/// delays a refresh, since every listener has its own safety net (pages poll, caches expire, and listeners that
/// cache drop what they hold when the Redis connection comes back). A change that must arrive is saved in an outbox
/// that retries <see cref="PublishAsync"/> until it succeeds (<see cref="Proxy.ProxyInvalidationOutbox"/>).
/// </summary>
/// <remarks>
/// One Redis channel, <c>{Portal:RedisKeyPrefix}changes</c>, with the topic at the head of each message
/// (<c>usage:app_123</c>), rather than a channel per topic: a process holds one subscription whatever it listens to,
/// a new topic needs no new subscription, and one publisher's messages arrive in the order sent whatever their topics
/// (a later message proves an earlier one was handled). What it costs, every process receiving every topic, is small:
/// changes are rare next to requests. The prefix keeps environments (and parallel tests) that share a Redis apart.
/// The subscription starts with the host, or with the first <see cref="Subscribe"/> where there is no host, and
/// StackExchange.Redis renews it by itself whenever a lost connection comes back. Messages are handled one at a time,
/// in order: a handler must be quick (hand slow work off), and what it throws is logged.
/// </remarks>
public sealed partial class ChangeChannel : IHostedService, IDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    // Indexed by topic. Spelled out rather than derived from the enum's names: renaming a member must not change
    // what processes of the previous version, still running during a rollout, understand.
    private static readonly string[] Tags = ["application:", "usage:", "proxy-key:", "plan:"];
    private static readonly byte[][] TagBytes = [.. Tags.Select(Encoding.ASCII.GetBytes)];

    private readonly IConnectionMultiplexer _redis;
    private readonly TimeProvider _clock;
    private readonly ILogger<ChangeChannel> _logger;
    private readonly RedisChannel _channel;
    private readonly Lock _gate = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly CancellationToken _stoppingToken;
    private Listener[][] _listeners;
    private ChannelMessageQueue? _queue;
    private int _started;
    private int _disposed;

    /// <param name="redisKeyPrefix"><c>Portal:RedisKeyPrefix</c>: processes hear each other only with the same prefix.</param>
    public ChangeChannel(IConnectionMultiplexer redis, string redisKeyPrefix, TimeProvider clock, ILogger<ChangeChannel> logger)
    {
        if (Tags.Length != Enum.GetValues<ChangeTopic>().Length)
        {
            throw new InvalidOperationException("Every ChangeTopic needs its tag in ChangeChannel.");
        }

        _redis = redis;
        _clock = clock;
        _logger = logger;
        _channel = RedisChannel.Literal(redisKeyPrefix + "changes");
        _listeners = [.. Tags.Select(_ => Array.Empty<Listener>())];
        _stoppingToken = _stopping.Token;
    }

    /// <summary>The Redis channel, for diagnostics and tests.</summary>
    public RedisChannel Channel => _channel;

    /// <summary>Completes once this process is subscribed (from then on, Redis keeps the subscription across reconnections).</summary>
    public Task Listening => _listening.Task;

    /// <summary>What a publish fails with while Redis is away or slow.</summary>
    public static bool IsRedisFailure(Exception e) => e is RedisException or TimeoutException or ObjectDisposedException;

    /// <summary>Tells every process that <paramref name="id"/> changed; never fails (a Redis failure is logged at debug level).</summary>
    public void Publish(ChangeTopic topic, string id)
    {
        try
        {
            _redis.GetSubscriber().Publish(_channel, Message(topic, id), CommandFlags.FireAndForget);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            LogPublishFailed(_logger, topic, e.Message);
        }
    }

    /// <summary>As <see cref="Publish(ChangeTopic, string)"/> for each of <paramref name="ids"/>; stops at the first Redis failure.</summary>
    public void Publish(ChangeTopic topic, IEnumerable<string> ids)
    {
        try
        {
            var subscriber = _redis.GetSubscriber();
            foreach (var id in ids)
            {
                subscriber.Publish(_channel, Message(topic, id), CommandFlags.FireAndForget);
            }
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            LogPublishFailed(_logger, topic, e.Message);
        }
    }

    /// <summary>
    /// Publishes and waits for Redis to take it; a Redis failure reaches the caller (see <see cref="IsRedisFailure"/>).
    /// For callers that keep the change until it is published.
    /// </summary>
    public Task PublishAsync(ChangeTopic topic, string id) => _redis.GetSubscriber().PublishAsync(_channel, Message(topic, id));

    /// <summary>
    /// Calls <paramref name="handler"/> with the id of every <paramref name="topic"/> change, from any process, until the
    /// result is disposed. Called on the channel's one reader, in order: keep it short and hand slow work off.
    /// </summary>
    public IDisposable Subscribe(ChangeTopic topic, Action<string> handler)
    {
        var listener = new Listener(this, topic, handler);
        lock (_gate)
        {
            var listeners = (Listener[][])_listeners.Clone();
            listeners[(int)topic] = [.. listeners[(int)topic], listener];
            Volatile.Write(ref _listeners, listeners);
        }

        StartListening();
        return listener;
    }

    /// <summary>Subscribes this process to the channel, once, retrying in the background while Redis does not answer.</summary>
    public void StartListening()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            _ = ListenAsync();
        }
    }

    Task IHostedService.StartAsync(CancellationToken cancellationToken)
    {
        StartListening();
        return Task.CompletedTask;
    }

    Task IHostedService.StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static string Message(ChangeTopic topic, string id) => string.Concat(Tags[(int)topic], id);

    private async Task ListenAsync()
    {
        var subscriber = _redis.GetSubscriber();
        for (var attempt = 0; !_stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var queue = await subscriber.SubscribeAsync(_channel);
                queue.OnMessage(Dispatch);
                _queue = queue;
                if (_stoppingToken.IsCancellationRequested)
                {
                    Unsubscribe(queue);
                }

                _listening.TrySetResult();
                return;
            }
            catch (Exception e) when (IsRedisFailure(e))
            {
                // The library keeps a subscription whose command failed (to renew it on reconnection), with a queue no
                // one reads: drop it before the next try, or each try would add one. This process is the channel's only
                // subscriber on this connection, so dropping every subscription to it drops nothing else.
                try
                {
                    await subscriber.UnsubscribeAsync(_channel, null, CommandFlags.FireAndForget);
                }
                catch (Exception again) when (IsRedisFailure(again))
                {
                    // Gone from the library's table already; the server forgets it with the connection.
                }

                LogSubscribeFailed(_logger, _channel.ToString(), e.Message);
                try
                {
                    await Task.Delay(BackOff.Delay(attempt, FirstRetryDelay, MaxRetryDelay), _clock, _stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Dispatch(ChannelMessage message)
    {
        ReadOnlyMemory<byte> bytes = message.Message;
        var body = bytes.Span;
        for (var topic = 0; topic < TagBytes.Length; topic++)
        {
            if (!body.StartsWith(TagBytes[topic]))
            {
                continue;
            }

            var listeners = Volatile.Read(ref _listeners)[topic];
            if (listeners.Length > 0 && body.Length > TagBytes[topic].Length)
            {
                var id = Encoding.UTF8.GetString(body[TagBytes[topic].Length..]);
                foreach (var listener in listeners)
                {
                    listener.Invoke(id);
                }
            }

            return;
        }
    }

    private void Remove(Listener listener)
    {
        lock (_gate)
        {
            var listeners = (Listener[][])_listeners.Clone();
            listeners[(int)listener.Topic] = [.. listeners[(int)listener.Topic].Where(l => l != listener)];
            Volatile.Write(ref _listeners, listeners);
        }
    }

    private static void Unsubscribe(ChannelMessageQueue queue)
    {
        try
        {
            queue.Unsubscribe(CommandFlags.FireAndForget);
        }
        catch (Exception e) when (IsRedisFailure(e))
        {
            // The server forgets the subscription with the connection.
        }
    }

    public void Dispose()
    {
        // Registered both as itself and as a hosted service, it is disposed twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        _stopping.Cancel();
        if (_queue is { } queue)
        {
            Unsubscribe(queue);
        }

        _stopping.Dispose();
    }

    [LoggerMessage(LogLevel.Debug, "A {Topic} change was not published: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, ChangeTopic topic, string reason);

    [LoggerMessage(LogLevel.Warning, "Could not subscribe to the change channel {Channel} (retrying; pages poll and caches expire meanwhile): {Reason}")]
    private static partial void LogSubscribeFailed(ILogger logger, string channel, string reason);

    [LoggerMessage(LogLevel.Warning, "A listener of {Topic} changes failed on {Id}")]
    private static partial void LogListenerFailed(ILogger logger, Exception exception, ChangeTopic topic, string id);

    private sealed class Listener(ChangeChannel owner, ChangeTopic topic, Action<string> handler) : IDisposable
    {
        private int _disposed;

        public ChangeTopic Topic => topic;

        public void Invoke(string id)
        {
            try
            {
                handler(id);
            }
            catch (Exception e)
            {
                // One failing listener must not stop the others, nor the channel's reader.
                LogListenerFailed(owner._logger, e, topic, id);
            }
        }

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Remove(this);
            }
        }
    }
}
