namespace Portal.Core.RateLimiting;

/// <summary>What <see cref="LocalLimiterTable{TState}"/> asks of a partition's state.</summary>
public interface ILocalLimiterState
{
    /// <summary>
    /// Whether the state no longer changes any decision at <paramref name="now"/> (a timestamp of the table's clock,
    /// <see cref="TimeProvider.GetTimestamp"/>):
    /// its windows ended, its bucket is full again. Dropping a stale state is invisible to callers.
    /// </summary>
    bool IsStale(long now);
}
