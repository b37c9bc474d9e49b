using System.Collections.Concurrent;

namespace Portal.Core.RateLimiting;

/// <summary>
/// The per-replica state of a rate limiter while Redis is away (every limiter's fallback): one state per partition
/// (key, user, client address), bounded by <paramref name="capacity"/> however many distinct partitions a flood
/// brings. Past the cap, stale states go first; only if the table is still full (more live partitions than the cap)
/// are arbitrary live ones dropped, down to 90 % of the cap, and those partitions start a new window: the limit is then
/// looser for them, but memory never grows. Reads take no lock and allocate nothing. Staleness is judged on
/// <paramref name="clock"/>, the clock of the states it holds.
/// </summary>
public sealed class LocalLimiterTable<TState>(int capacity, TimeProvider clock)
    where TState : class, ILocalLimiterState
{
    private readonly ConcurrentDictionary<string, TState> _states = new(StringComparer.Ordinal);
    private readonly Lock _trimming = new();
    private int _count;

    /// <summary>Partitions held (never more than the capacity, but briefly, while a trim runs).</summary>
    public int Count => Volatile.Read(ref _count);

    public int Capacity => capacity;

    /// <summary>The partition's state, created by <paramref name="create"/> when it has none.</summary>
    public TState GetOrAdd(string partition, Func<string, TState> create)
    {
        while (true)
        {
            if (_states.TryGetValue(partition, out var state))
            {
                return state;
            }

            var created = create(partition);
            if (_states.TryAdd(partition, created))
            {
                if (Interlocked.Increment(ref _count) > capacity)
                {
                    Trim(partition);
                }

                return created;
            }
        }
    }

    private void Remove(string partition)
    {
        if (_states.TryRemove(partition, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>Makes room, never by dropping <paramref name="added"/>: its caller is about to count in it.</summary>
    private void Trim(string added)
    {
        // One trim at a time; the others go on (the cap is exceeded by at most the concurrent adds meanwhile).
        if (!_trimming.TryEnter())
        {
            return;
        }

        try
        {
            var now = clock.GetTimestamp();
            foreach (var (partition, state) in _states)
            {
                if (state.IsStale(now) && !string.Equals(partition, added, StringComparison.Ordinal))
                {
                    Remove(partition);
                }
            }

            var target = capacity - Math.Max(1, capacity / 10);
            if (Count <= capacity)
            {
                return;
            }

            foreach (var partition in _states.Keys)
            {
                if (Count <= target)
                {
                    break;
                }

                if (!string.Equals(partition, added, StringComparison.Ordinal))
                {
                    Remove(partition);
                }
            }
        }
        finally
        {
            _trimming.Exit();
        }
    }
}
