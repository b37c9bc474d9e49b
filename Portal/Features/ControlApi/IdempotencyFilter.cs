using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Portal.Features.ControlApi;

/// <summary>
/// <c>Idempotency-Key</c> on POST: the same key and request (method, path and body hash) from the same user within
/// 24 hours gets the first response again (<c>Idempotency-Replayed: true</c>) without the work being done twice; the
/// same key with another request, or while the first is still running, is a 409. Kept in Redis: SET NX marks the
/// request in progress with a short lease (<see cref="ControlApiOptions.IdempotencyLease"/>) that the request renews
/// while it runs, so a process that dies mid-request blocks the key only that long, not for the 24 hours of a kept
/// answer. Without Redis, such POSTs answer 503 rather than risk doing the work twice.
/// </summary>
internal sealed partial class IdempotencyFilter(
    IConnectionMultiplexer redis, Hosting.PortalOptions portal, IDataProtectionProvider dataProtection, IOptions<ControlApiOptions> options,
    ILogger<IdempotencyFilter> logger)
    : IEndpointFilter
{
    /// <summary>Kept answers can carry secrets shown once (a new secret key), so their bodies are encrypted in Redis.</summary>
    private readonly IDataProtector _bodies = dataProtection.CreateProtector("Portal.ControlApi.Idempotency.Bodies");

    public const string Header = "Idempotency-Key";
    public const string ReplayedHeader = "Idempotency-Replayed";
    public const int MaxKeyLength = 255;

    private static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        if (!HttpMethods.IsPost(http.Request.Method) || !http.Request.Headers.TryGetValue(Header, out var values))
        {
            return await next(context);
        }

        var key = values.ToString();
        if (values.Count != 1 || key.Length is 0 or > MaxKeyLength || key.Any(char.IsControl))
        {
            return ApiError.Invalid($"An {Header} has 1 to {MaxKeyLength} printable characters.", Header);
        }

        if (!redis.IsConnected)
        {
            return Unavailable();
        }

        var fingerprint = await FingerprintAsync(http.Request);
        var redisKey = (RedisKey)$"{portal.RedisKeyPrefix}control-api:idempotency:{http.User.UserId()}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)))}";
        var db = redis.GetDatabase();
        string pending;
        try
        {
            pending = JsonSerializer.Serialize(new StoredResponse(fingerprint, null, null, null, Guid.NewGuid().ToString("N")));
            if (!await db.StringSetAsync(redisKey, pending, Lease, When.NotExists))
            {
                return await ReplayAsync(http, await db.StringGetAsync(redisKey), fingerprint);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRedis(logger, e.GetType().Name);
            return Unavailable();
        }

        return await RunAndStoreAsync(context, next, db, redisKey, fingerprint, pending);
    }

    private TimeSpan Lease => options.Value.IdempotencyLease;

    private async Task<object?> RunAndStoreAsync(
        EndpointFilterInvocationContext context, EndpointFilterDelegate next, IDatabase db, RedisKey redisKey, string fingerprint, string pending)
    {
        var http = context.HttpContext;
        var realBody = http.Response.Body;
        using var buffer = new MemoryStream();
        var completed = false;
        using var running = new CancellationTokenSource();
        var renewing = RenewAsync(db, redisKey, pending, running.Token);
        try
        {
            var result = await next(context);
            http.Response.Body = buffer;
            await (result as IResult ?? TypedResults.Ok(result)).ExecuteAsync(http);
            completed = http.Response.StatusCode < 500;
        }
        finally
        {
            http.Response.Body = realBody;
            await running.CancelAsync();
            await renewing;
            await SettleAsync(db, redisKey, completed
                ? new StoredResponse(fingerprint, http.Response.StatusCode, http.Response.Headers.Location.ToString(), _bodies.Protect(Encoding.UTF8.GetString(buffer.ToArray())), null)
                : null);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(realBody, http.RequestAborted);
        return Results.Empty;
    }

    /// <summary>Renews this request's lease a few times per lease while it runs, as long as the marker is still its own.</summary>
    private async Task RenewAsync(IDatabase db, RedisKey redisKey, string pending, CancellationToken cancellationToken)
    {
        // The lease is a Redis expiry, so it is renewed on real time (as Redis counts it), not on the app's clock.
        var every = Lease / 3;
        var lease = (long)Lease.TotalMilliseconds;
        try
        {
            while (true)
            {
                await Task.Delay(every, cancellationToken);
                try
                {
                    await db.ScriptEvaluateAsync(RenewScript, [redisKey], [pending, lease]);
                }
                catch (Exception e) when (e is RedisException or TimeoutException or ObjectDisposedException)
                {
                    LogRedis(logger, e.GetType().Name);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The request finished.
        }
    }

    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """;

    /// <summary>Keeps the response for replays; forgets the key when the request failed on our side, so that a retry runs again.</summary>
    private async Task SettleAsync(IDatabase db, RedisKey redisKey, StoredResponse? response)
    {
        try
        {
            if (response is null)
            {
                await db.KeyDeleteAsync(redisKey);
            }
            else
            {
                await db.StringSetAsync(redisKey, JsonSerializer.Serialize(response), Retention);
            }
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            LogRedis(logger, e.GetType().Name);
        }
    }

    private async Task<object?> ReplayAsync(HttpContext http, RedisValue stored, string fingerprint)
    {
        var response = stored.IsNullOrEmpty ? null : JsonSerializer.Deserialize<StoredResponse>(stored.ToString());
        if (response is null || response.Fingerprint != fingerprint)
        {
            return new ApiError(StatusCodes.Status409Conflict, ApiError.Conflict,
                $"This {Header} was already used for a different request; use a new key for a new request.",
                new Dictionary<string, object?> { ["header"] = Header });
        }

        if (response.Status is not { } status)
        {
            return new ApiError(StatusCodes.Status409Conflict, ApiError.Conflict,
                $"A request with this {Header} is still in progress; retry once it has finished.",
                new Dictionary<string, object?> { ["header"] = Header });
        }

        http.Response.StatusCode = status;
        http.Response.Headers[ReplayedHeader] = "true";
        if (!string.IsNullOrEmpty(response.Location))
        {
            http.Response.Headers.Location = response.Location;
        }

        if (!string.IsNullOrEmpty(response.Body))
        {
            http.Response.ContentType = "application/json; charset=utf-8";
            await http.Response.WriteAsync(_bodies.Unprotect(response.Body), http.RequestAborted);
        }

        return Results.Empty;
    }

    private static async Task<string> FingerprintAsync(HttpRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}{request.QueryString}\n"));
        if (request.Body.CanSeek)
        {
            request.Body.Position = 0;
            var chunk = new byte[8192];
            int read;
            while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
            {
                hash.AppendData(chunk, 0, read);
            }
        }

        return Convert.ToHexString(hash.GetHashAndReset());
    }

    private static ApiError Unavailable() =>
        ApiError.Unavailable($"Requests with an {Header} cannot be accepted right now (the idempotency store is unavailable); retry shortly.");

    [LoggerMessage(LogLevel.Warning, "Idempotency store unavailable: Redis did not answer ({Error})")]
    private static partial void LogRedis(ILogger logger, string error);

    /// <param name="Lease">What tells this request's pending marker apart (only its own request renews it); null once answered.</param>
    private sealed record StoredResponse(string Fingerprint, int? Status, string? Location, string? Body, string? Lease);
}
