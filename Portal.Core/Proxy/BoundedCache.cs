using System.Collections.Concurrent;

namespace Portal.Core.Proxy;

/// <summary>
/// A concurrent map with a cap and a lifetime per entry (a null value is a remembered miss). Reads allocate nothing;
/// past the cap, expired entries go first, then arbitrary ones (the dictionary's order), down to 90 % of the cap.
/// Times are timestamps of <paramref name="clock"/> (<see cref="TimeProvider.GetTimestamp"/>), so tests move them.
/// </summary>
internal sealed class BoundedCache<TKey, TValue>(int capacity, TimeProvider clock, IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
    where TValue : class
{
    private readonly ConcurrentDictionary<TKey, Entry> _entries = new(comparer);
    private readonly Lock _trimming = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>Whether a live entry exists; <paramref name="value"/> is null for a remembered miss.</summary>
    public bool TryGet(TKey key, long now, out TValue? value)
    {
        if (_entries.TryGetValue(key, out var entry) && entry.ExpiresAt > now)
        {
            value = entry.Value;
            return true;
        }

        value = null;
        return false;
    }

    public void Set(TKey key, TValue? value, long expiresAt)
    {
        var entry = new Entry(value, expiresAt);
        if (_entries.TryAdd(key, entry))
        {
            if (Interlocked.Increment(ref _count) > capacity)
            {
                Trim();
            }
        }
        else
        {
            _entries[key] = entry;
        }
    }

    public void Remove(TKey key)
    {
        if (_entries.TryRemove(key, out _))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    public void RemoveWhere(Func<TValue, bool> match)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Value is { } value && match(value))
            {
                Remove(key);
            }
        }
    }

    public void Clear()
    {
        foreach (var key in _entries.Keys)
        {
            Remove(key);
        }
    }

    private void Trim()
    {
        if (!_trimming.TryEnter())
        {
            return;
        }

        try
        {
            // Expired entries first; then room is made regardless of age.
            var target = capacity - Math.Max(1, capacity / 10);
            var now = clock.GetTimestamp();
            foreach (var (key, entry) in _entries)
            {
                if (entry.ExpiresAt <= now)
                {
                    Remove(key);
                }
            }

            foreach (var key in _entries.Keys)
            {
                if (Count <= target)
                {
                    break;
                }

                Remove(key);
            }
        }
        finally
        {
            _trimming.Exit();
        }
    }

    private sealed record Entry(TValue? Value, long ExpiresAt);
}
