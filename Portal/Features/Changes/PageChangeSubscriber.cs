using System.Collections.Concurrent;
using System.Collections.Immutable;
using Portal.Core.Changes;

namespace Portal.Features.Changes;

/// <summary>
/// Calls back the open pages of this web process when what they show changed, whichever process changed it: a page
/// registers for a topic and an id (an application's) with <see cref="Subscribe"/>; one <see cref="ChangeChannel"/>
/// listener per topic serves every page. Bursts (a provisioning step ends, the next starts) do not pile up: a page has
/// at most one call running and one waiting, and the waiting call covers whatever arrives before it starts. That
/// coalescing needs no timer, so nothing here waits on the clock.
/// </summary>
public sealed partial class PageChangeSubscriber(ChangeChannel channel, ILogger<PageChangeSubscriber> logger) : IDisposable
{
    private readonly ConcurrentDictionary<(ChangeTopic Topic, string Id), ImmutableList<Registration>> _registrations = new();
    private readonly ConcurrentDictionary<ChangeTopic, IDisposable> _listeners = new();
    private readonly Lock _gate = new();
    private readonly ILogger _logger = logger;

    /// <summary>Completes once this process listens to the change channel.</summary>
    public Task Listening => channel.Listening;

    /// <summary>Calls <paramref name="onChanged"/> after <paramref name="id"/> changes (per <paramref name="topic"/>), until the result is disposed.</summary>
    public IDisposable Subscribe(ChangeTopic topic, string id, Func<Task> onChanged)
    {
        Listen(topic);
        var registration = new Registration(this, topic, id, onChanged);
        _registrations.AddOrUpdate((topic, id), _ => [registration], (_, list) => list.Add(registration));
        return registration;
    }

    private void Listen(ChangeTopic topic)
    {
        if (_listeners.ContainsKey(topic))
        {
            return;
        }

        lock (_gate)
        {
            if (!_listeners.ContainsKey(topic))
            {
                _listeners[topic] = channel.Subscribe(topic, id => OnChanged(topic, id));
            }
        }
    }

    private void OnChanged(ChangeTopic topic, string id)
    {
        if (_registrations.TryGetValue((topic, id), out var registrations))
        {
            foreach (var registration in registrations)
            {
                registration.Signal();
            }
        }
    }

    private void Remove(Registration registration)
    {
        var key = (registration.Topic, registration.Id);
        while (_registrations.TryGetValue(key, out var list))
        {
            var remaining = list.Remove(registration);
            if (remaining.IsEmpty
                ? _registrations.TryRemove(new KeyValuePair<(ChangeTopic, string), ImmutableList<Registration>>(key, list))
                : _registrations.TryUpdate(key, remaining, list))
            {
                return;
            }
        }
    }

    public void Dispose()
    {
        foreach (var listener in _listeners.Values)
        {
            listener.Dispose();
        }
    }

    [LoggerMessage(LogLevel.Warning, "A page's reload after a {Topic} change of {Id} failed")]
    private static partial void LogCallbackFailed(ILogger logger, Exception exception, ChangeTopic topic, string id);

    private sealed class Registration(PageChangeSubscriber owner, ChangeTopic topic, string id, Func<Task> onChanged) : IDisposable
    {
        private const int Idle = 0;

        // A call is queued and has not started: what arrives now is covered by it.
        private const int Pending = 1;
        private const int Running = 2;

        // What arrived while the call ran needs one more call.
        private const int RunningThenAgain = 3;

        private int _state;
        private volatile bool _disposed;

        public ChangeTopic Topic => topic;

        public string Id => id;

        /// <summary>Called on the channel's reader: never waits, never runs the page's code.</summary>
        public void Signal()
        {
            while (!_disposed)
            {
                var state = Volatile.Read(ref _state);
                if (state is Pending or RunningThenAgain
                    || (state == Running && Interlocked.CompareExchange(ref _state, RunningThenAgain, Running) == Running))
                {
                    return;
                }

                if (state == Idle && Interlocked.CompareExchange(ref _state, Pending, Idle) == Idle)
                {
                    _ = Task.Run(RunAsync);
                    return;
                }
            }
        }

        private async Task RunAsync()
        {
            do
            {
                Interlocked.Exchange(ref _state, Running);
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
                    LogCallbackFailed(owner._logger, e, topic, id);
                }
            }
            while (Interlocked.CompareExchange(ref _state, Idle, Running) != Running);
        }

        public void Dispose()
        {
            _disposed = true;
            owner.Remove(this);
        }
    }
}
