using System.Collections.Concurrent;

namespace Portal.Core.Proxy;

/// <summary>
/// One load per id at a time, however many requests wait for it: a flood of one unknown key (or of the requests of a
/// cold application) costs one lookup, not one per request.
/// </summary>
internal sealed class SingleFlight<TKey, TValue>(IEqualityComparer<TKey>? comparer = null)
    where TKey : notnull
{
    private readonly ConcurrentDictionary<TKey, Task<TValue?>> _loading = new(comparer);

    /// <summary>The running load of <paramref name="id"/>, or a new one started with <paramref name="load"/>.</summary>
    public Task<TValue?> RunAsync(TKey id, Func<TKey, Task<TValue?>> load)
    {
        if (_loading.TryGetValue(id, out var running))
        {
            return running;
        }

        var started = new TaskCompletionSource<TValue?>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_loading.TryAdd(id, started.Task))
        {
            return _loading.TryGetValue(id, out running) ? running : load(id);
        }

        _ = CompleteAsync(started, id, load);
        return started.Task;
    }

    private async Task CompleteAsync(TaskCompletionSource<TValue?> started, TKey id, Func<TKey, Task<TValue?>> load)
    {
        try
        {
            started.SetResult(await load(id));
        }
        catch (Exception e)
        {
            started.SetException(e);
        }
        finally
        {
            _loading.TryRemove(id, out _);
        }
    }
}
