namespace Portal.Core.RateLimiting;

/// <summary>
/// Remembers that Redis failed, so that a component stops asking it for <paramref name="retryInterval"/> and answers on
/// its own meanwhile (a database lookup, a per-replica limit) instead of paying a timeout per request; then Redis is
/// tried again, so the component recovers without a restart. Lock-free and allocation-free: read on hot paths.
/// </summary>
public sealed class RedisOutageGate(TimeSpan retryInterval, TimeProvider clock)
{
    private readonly long _retryInterval = clock.ToTimestampSpan(retryInterval);
    private long _retryAt = long.MinValue;

    /// <summary>Whether Redis may be asked: it has not failed within the retry interval.</summary>
    public bool IsOpen => clock.GetTimestamp() >= Interlocked.Read(ref _retryAt);

    /// <summary>Whether Redis failed within the retry interval: answers come from the fallback.</summary>
    public bool Degraded => !IsOpen;

    /// <summary>Redis failed: leave it alone for the retry interval.</summary>
    public void Trip() => Interlocked.Exchange(ref _retryAt, TimestampSpans.After(clock.GetTimestamp(), _retryInterval));

    /// <summary>Redis is known to be back (its connection was restored): ask it again at once.</summary>
    public void Reset() => Interlocked.Exchange(ref _retryAt, long.MinValue);
}
