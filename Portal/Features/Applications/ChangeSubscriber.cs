using System.Collections.Concurrent;
using System.Collections.Immutable;
using StackExchange.Redis;

namespace Portal.Features.Applications;

/// <summary>
/// Listens on a Redis channel of application ids (whatever process published) and calls back the open pages of the
/// application named. One subscription per process and channel; a page registers with <see cref="Subscribe"/>.
/// Bursts (a step ends, the next starts) reach a page as one call: a notification that arrives while a call is
/// pending or running schedules one more call, never a pile of them.
/// </summary>
public abstract partial class ChangeSubscriber(IConnectionMultiplexer redis, RedisChannel channel, string topic, ILogger logger)
    : BackgroundService
{
    private readonly ILogger _logger = logger;
    private readonly string _topic = topic;

    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, ImmutableList<Registration>> _registrations = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>How long a notification waits for others of the same burst before the page is called.</summary>
    public TimeSpan DebounceWindow { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Completes once the channel is subscribed (Redis keeps the subscription across reconnections).</summary>
    public Task Listening => _listening.Task;

    /// <summary>Calls <paramref name="onChanged"/> after the application changes, until the result is disposed.</summary>
    public IDisposable Subscribe(string applicationId, Func<Task> onChanged)
    {
        var registration = new Registration(this, applicationId, onChanged);
        _registrations.AddOrUpdate(applicationId, _ => [registration], (_, list) => list.Add(registration));
        return registration;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await redis.GetSubscriber().SubscribeAsync(channel, (_, message) => OnMessage(message));
                _listening.TrySetResult();
                return;
            }
            catch (Exception e) when (e is RedisException or TimeoutException)
            {
                // Redis is down at start: pages still poll; keep trying to subscribe.
                LogSubscribeFailed(_logger, _topic, e.Message);
                await Task.Delay(RetryDelay, stoppingToken);
            }
        }
    }

    private void OnMessage(RedisValue message)
    {
        if (message.IsNullOrEmpty || !_registrations.TryGetValue(message.ToString(), out var registrations))
        {
            return;
        }

        foreach (var registration in registrations)
        {
            registration.Signal();
        }
    }

    private void Remove(Registration registration)
    {
        while (_registrations.TryGetValue(registration.ApplicationId, out var list))
        {
            var remaining = list.Remove(registration);
            if (remaining.IsEmpty
                ? _registrations.TryRemove(new KeyValuePair<string, ImmutableList<Registration>>(registration.ApplicationId, list))
                : _registrations.TryUpdate(registration.ApplicationId, remaining, list))
            {
                return;
            }
        }
    }

    [LoggerMessage(LogLevel.Warning, "Could not subscribe to {Topic} (pages fall back to polling): {Reason}")]
    private static partial void LogSubscribeFailed(ILogger logger, string topic, string reason);

    [LoggerMessage(LogLevel.Warning, "A page's reload after {Topic} of application {ApplicationId} failed")]
    private static partial void LogCallbackFailed(ILogger logger, Exception exception, string topic, string applicationId);

    private sealed class Registration(ChangeSubscriber owner, string applicationId, Func<Task> onChanged) : IDisposable
    {
        private const int Idle = 0;
        private const int Scheduled = 1;
        private const int ScheduledAgain = 2;

        private int _state;
        private volatile bool _disposed;

        public string ApplicationId => applicationId;

        public void Signal()
        {
            while (!_disposed)
            {
                var state = Volatile.Read(ref _state);
                if (state == ScheduledAgain
                    || (state == Scheduled && Interlocked.CompareExchange(ref _state, ScheduledAgain, Scheduled) == Scheduled))
                {
                    return;
                }

                if (state == Idle && Interlocked.CompareExchange(ref _state, Scheduled, Idle) == Idle)
                {
                    _ = RunAsync();
                    return;
                }
            }
        }

        private async Task RunAsync()
        {
            do
            {
                await Task.Delay(owner.DebounceWindow);
                // What arrives from here on needs a call after this one.
                Interlocked.Exchange(ref _state, Scheduled);
                if (_disposed)
                {
                    return;
                }

                try
                {
                    await onChanged();
                }
                catch (Exception e)
                {
                    // A page gone or failing must not stop the notifications of the others.
                    LogCallbackFailed(owner._logger, e, owner._topic, applicationId);
                }
            }
            while (Interlocked.CompareExchange(ref _state, Idle, Scheduled) != Scheduled);
        }

        public void Dispose()
        {
            _disposed = true;
            owner.Remove(this);
        }
    }
}
