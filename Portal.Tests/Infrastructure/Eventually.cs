namespace Portal.Tests.Infrastructure;

/// <summary>Waits for a condition on the simulated cluster, which moves on its own timers, with a deadline.</summary>
public static class Eventually
{
    public static async Task<T> WaitAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        deadline.CancelAfter(timeout ?? TimeSpan.FromSeconds(10));
        var last = default(T);
        try
        {
            while (true)
            {
                last = await read();
                if (done(last))
                {
                    return last;
                }

                await Task.Delay(10, deadline.Token);
            }
        }
        catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
        {
            var json = System.Text.Json.JsonSerializer.Serialize(last);
            throw new TimeoutException($"Timed out waiting for {what}; last value (end): {json[Math.Max(0, json.Length - 1500)..]}");
        }
    }
}
