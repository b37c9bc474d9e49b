namespace Portal.Core.RateLimiting;

/// <summary>
/// A fixed window counted on this replica: the fallback of the Redis fixed-window limiters (the same window length,
/// so a partition gets the same limit per replica as it gets across replicas through Redis). Times come from
/// <paramref name="clock"/>, the clock of the <see cref="LocalLimiterTable{TState}"/> that holds it.
/// </summary>
public sealed class LocalFixedWindow(TimeSpan window, TimeProvider clock) : ILocalLimiterState
{
    private readonly Lock _lock = new();
    private readonly long _window = clock.ToTimestampSpan(window);
    private long _start = clock.GetTimestamp();
    private long _count;

    public bool IsStale(long now)
    {
        lock (_lock)
        {
            return now - _start >= _window;
        }
    }

    /// <summary>Counts one hit unless <paramref name="limit"/> is reached; returns whether it was allowed, the count, and the time until the window ends.</summary>
    public (bool Allowed, long Count, TimeSpan Reset) TryAcquire(long limit)
    {
        lock (_lock)
        {
            var now = clock.GetTimestamp();
            if (now - _start >= _window)
            {
                _start = now;
                _count = 0;
            }

            var allowed = _count < limit;
            if (allowed)
            {
                _count++;
            }

            return (allowed, _count, clock.FromTimestampSpan(_window - (now - _start)));
        }
    }

    /// <summary>Gives back a hit of the current window (a lookup that found what it looked for).</summary>
    public void Release()
    {
        lock (_lock)
        {
            if (clock.GetTimestamp() - _start < _window && _count > 0)
            {
                _count--;
            }
        }
    }
}
