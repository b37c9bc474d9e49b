namespace Portal.Core.Proxy;

/// <summary>
/// This replica's memory of keys, unknown keys and applications, each bounded, with lifetimes on the injected clock.
/// Unknown keys have a cache of their own so that a flood of random keys never evicts good ones. A generation counts
/// the changes announced: a load stores what it read only if no change was announced since it started, so that a
/// change is never overwritten by an older read. Reads allocate nothing.
/// </summary>
internal sealed class ProxyKeyCache
{
    private readonly TimeProvider _clock;
    private readonly BoundedCache<KeyHash, ProxyKey> _keys;
    private readonly BoundedCache<KeyHash, ProxyKey> _unknownKeys;
    private readonly BoundedCache<string, ProxyApplication> _applications;
    private readonly long _localTtl;
    private readonly long _negativeTtl;
    private long _generation;

    public ProxyKeyCache(ProxyKeyOptions options, TimeProvider clock)
    {
        _clock = clock;
        _keys = new BoundedCache<KeyHash, ProxyKey>(options.LocalCacheCapacity, clock);
        _unknownKeys = new BoundedCache<KeyHash, ProxyKey>(options.LocalCacheCapacity, clock);
        _applications = new BoundedCache<string, ProxyApplication>(options.LocalCacheCapacity, clock, StringComparer.Ordinal);
        _localTtl = clock.ToTimestampSpan(options.LocalCacheTtl);
        _negativeTtl = clock.ToTimestampSpan(options.NegativeCacheTtl);
    }

    /// <summary>The current time, in the units the Try methods take.</summary>
    public long Now => _clock.GetTimestamp();

    /// <summary>The changes announced so far; what a load read is stored only if it has not moved meanwhile.</summary>
    public long Generation => Interlocked.Read(ref _generation);

    /// <summary>Whether the key is known as a key (<paramref name="key"/> set) at <paramref name="now"/>.</summary>
    public bool TryGetKey(KeyHash hash, long now, out ProxyKey? key) => _keys.TryGet(hash, now, out key);

    /// <summary>Whether the key was looked up lately and not found.</summary>
    public bool IsKnownUnknown(KeyHash hash, long now) => _unknownKeys.TryGet(hash, now, out _);

    public bool TryGetApplication(string applicationId, long now, out ProxyApplication? application) =>
        _applications.TryGet(applicationId, now, out application) && application is not null;

    /// <summary>Stores what a load started at <paramref name="generation"/> found (null: the key does not exist).</summary>
    public void StoreKey(KeyHash hash, ProxyKey? key, long generation)
    {
        if (Generation != generation)
        {
            return;
        }

        if (key is null)
        {
            _unknownKeys.Set(hash, null, TimestampSpans.After(Now, _negativeTtl));
        }
        else
        {
            _keys.Set(hash, key, TimestampSpans.After(Now, _localTtl));
        }
    }

    public void StoreApplication(ProxyApplication application, long generation)
    {
        if (Generation == generation)
        {
            _applications.Set(application.Id, application, TimestampSpans.After(Now, _localTtl));
        }
    }

    /// <summary>Puts a key and its application in, as a lookup would (benchmarks, warm-up).</summary>
    public void Remember(KeyHash hash, ProxyKey key, ProxyApplication application)
    {
        var expiresAt = TimestampSpans.After(Now, _localTtl);
        _keys.Set(hash, key, expiresAt);
        _applications.Set(application.Id, application, expiresAt);
    }

    /// <summary>A change was announced (loads running now must not store what they read).</summary>
    public void Changed() => Interlocked.Increment(ref _generation);

    public void ForgetKey(KeyHash hash)
    {
        _keys.Remove(hash);
        _unknownKeys.Remove(hash);
    }

    public void ForgetApplication(string applicationId) => _applications.Remove(applicationId);

    /// <summary>Forgets everything (announcements may have been missed).</summary>
    public void Clear()
    {
        Changed();
        _keys.Clear();
        _unknownKeys.Clear();
        _applications.Clear();
    }
}
