using System.Net;
using System.Net.Sockets;
using k8s.Autorest;
using Microsoft.Extensions.Options;
using Npgsql;
using StackExchange.Redis;

namespace Portal.Core.Provisioning;

/// <summary>
/// Retries one call on transient errors (HTTP 429 honouring Retry-After, 5xx, timeouts, refused connections) with
/// <see cref="BackOff"/> (exponential, equal jitter) on the injected clock; other errors go to the caller at once.
/// </summary>
public sealed class TransientRetry(IOptions<ProvisioningOptions> options, TimeProvider clock)
{
    public async Task<T> RunAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        for (var retry = 0; ; retry++)
        {
            try
            {
                return await call(cancellationToken);
            }
            catch (Exception e) when (retry < settings.TransientRetries && IsTransient(e, cancellationToken))
            {
                await Task.Delay(Delay(e, retry, settings), clock, cancellationToken);
            }
        }
    }

    public Task RunAsync(Func<CancellationToken, Task> call, CancellationToken cancellationToken) =>
        RunAsync(async ct =>
        {
            await call(ct);
            return true;
        }, cancellationToken);

    public static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        HttpOperationException http => (int)http.Response.StatusCode is 429 or >= 500,
        HttpRequestException or SocketException or TimeoutException or IOException => true,
        // A timeout of the client (not our caller's cancellation).
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        NpgsqlException npgsql => npgsql.IsTransient,
        RedisConnectionException or RedisTimeoutException => true,
        _ => false,
    };

    private static TimeSpan Delay(Exception e, int retry, ProvisioningOptions settings)
    {
        var backOff = BackOff.Delay(retry, settings.RetryDelay, settings.MaxRetryDelay);
        if (e is HttpOperationException { Response.StatusCode: HttpStatusCode.TooManyRequests } http && RetryAfter(http) is { } retryAfter)
        {
            return retryAfter > backOff ? retryAfter : backOff;
        }

        return backOff;
    }

    private static TimeSpan? RetryAfter(HttpOperationException e) =>
        e.Response.Headers is { } headers
        && headers.FirstOrDefault(h => string.Equals(h.Key, "Retry-After", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault() is { } value
        && int.TryParse(value, System.Globalization.CultureInfo.InvariantCulture, out var seconds)
            ? TimeSpan.FromSeconds(Math.Clamp(seconds, 0, 60))
            : null;
}
