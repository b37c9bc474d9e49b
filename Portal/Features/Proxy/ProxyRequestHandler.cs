using System.Diagnostics;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Portal.Core.Proxy;
using Portal.Core.Usage;
using Yarp.ReverseProxy.Forwarder;

namespace Portal.Features.Proxy;

/// <summary>
/// The proxy role's request path for <c>/v1/{appId}/{**path}</c>: request id, then the checks in their documented order
/// (key 401, application 503, client IP 403, route and scope 403, rate limit 429, monthly quota 429), then the body
/// limit (413), then YARP forwards to the application's internal URL (502/504 when the instance fails), then one usage
/// event for the meter. Every answer carries the request id, and once known the application id, region and rate limit.
/// </summary>
public sealed partial class ProxyRequestHandler(
    ProxyKeyVerifier verifier,
    ProxyRateLimiter limiter,
    UsageMeter meter,
    IHttpForwarder forwarder,
    ProxyForwarding forwarding,
    ProxyRouteTable routes,
    IOptions<ProxyHostOptions> options,
    TimeProvider clock,
    ILogger<ProxyRequestHandler> logger)
{
    private const string Prefix = "/v1/";
    private const int MaxApplicationIdLength = 64;

    private readonly ProxyHostOptions _options = options.Value;
    private readonly ForwarderRequestConfig _requestConfig = new() { ActivityTimeout = options.Value.UpstreamTimeout };
    private readonly string _payloadTooLargeMessage = $"The request body is larger than the proxy accepts ({options.Value.MaxRequestBodySize} bytes).";

    /// <summary>Whether <paramref name="path"/> is the proxy's (<c>/v1</c> and below).</summary>
    public static bool IsProxyPath(PathString path) => path.StartsWithSegments("/v1", StringComparison.Ordinal);

    public async Task InvokeAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var request = context.Request;
        var incomingId = request.Headers[ProxyHeaders.PlainRequestId];
        var requestId = incomingId.Count == 1 && ProxyHeaders.IsWellFormedRequestId(incomingId[0]) ? incomingId[0]! : ProxyHeaders.NewRequestId();
        context.TraceIdentifier = requestId;
        var exchange = new ProxyExchange { RequestId = requestId, MaxUserIdBodySize = _options.MaxUserIdBodySize };
        try
        {
            await ProxyAsync(context, exchange, started);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            LogFailed(logger, exchange.ApplicationId, requestId, e);
            context.Response.Clear();
            await RefuseAsync(context, exchange, started, keyId: null, StatusCodes.Status500InternalServerError, ProxyErrors.InternalError,
                "Something went wrong in the proxy. Quote the request id if you contact support.");
        }
        finally
        {
            exchange.Tap?.Dispose();
        }
    }

    private async Task ProxyAsync(HttpContext context, ProxyExchange exchange, long started)
    {
        var request = context.Request;
        var response = context.Response;
        var path = request.Path.Value ?? "";
        var afterPrefix = path.Length > Prefix.Length ? path.AsSpan(Prefix.Length) : [];
        var slash = afterPrefix.IndexOf('/');
        var applicationIdSpan = slash < 0 ? afterPrefix : afterPrefix[..slash];
        // Where the path below the application starts (a span cannot cross the awaits).
        var subPathStart = slash < 0 ? path.Length : Prefix.Length + slash + 1;
        if (!IsWellFormedApplicationId(applicationIdSpan))
        {
            await RefuseAsync(context, exchange, started, keyId: null, StatusCodes.Status404NotFound, ProxyErrors.NotFound,
                "Call the proxy at /v1/{applicationId}/{path}.");
            return;
        }

        // Before any check: the route check must judge the path the instance will receive.
        if (!ProxyPaths.IsAcceptable(context))
        {
            await RefuseAsync(context, exchange, started, keyId: null, StatusCodes.Status400BadRequest, ProxyErrors.InvalidRequest,
                "The path may not contain encoded slashes, backslashes or dots (%2F, %5C, %2E, %25), backslashes, or '.' and '..' segments.",
                "path");
            return;
        }

        var applicationId = applicationIdSpan.ToString();
        exchange.ApplicationId = applicationId;

        // 1. The key (401), and 2. its application serving (503).
        var verified = await verifier.VerifyAsync(ProxyHeaders.PresentedKey(request), applicationId, context.Connection.RemoteIpAddress, context.RequestAborted);
        if (!verified.Succeeded)
        {
            if (verified.Refusal == KeyRefusal.TooManyFailures)
            {
                await RefuseAsync(context, exchange, started, keyId: null, StatusCodes.Status429TooManyRequests, ProxyErrors.RateLimitExceeded,
                    "Too many unknown keys from this address; wait before trying again.", "too_many_failed_keys", retryAfter: verified.RetryAfterSeconds);
                return;
            }

            if (verified.Refusal == KeyRefusal.ApplicationUnavailable && verified.Application is { } unavailable)
            {
                exchange.Region = unavailable.Region;
                await RefuseAsync(context, exchange, started, verified.Key!.KeyId, StatusCodes.Status503ServiceUnavailable, ProxyErrors.ServiceUnavailable,
                    UnavailableMessage(unavailable.UnavailableReason), unavailable.UnavailableReason, retryAfter: 5);
                return;
            }

            // Revoked and expired keys of this application count as its refused requests (never MAU).
            var ownKeyId = verified.Key is { } known && string.Equals(known.ApplicationId, applicationId, StringComparison.Ordinal) ? known.KeyId : null;
            await RefuseAsync(context, exchange, started, ownKeyId, StatusCodes.Status401Unauthorized, ProxyErrors.Unauthorized, UnauthorizedMessage(verified.Refusal));
            return;
        }

        var key = verified.Key!;
        var application = verified.Application!;
        exchange.Region = application.Region;

        // 3. The client's address.
        var client = context.Connection.RemoteIpAddress;
        if (application.IpAllowlist.Count > 0 && (client is null || !application.Allows(client)))
        {
            await RefuseAsync(context, exchange, started, key.KeyId, StatusCodes.Status403Forbidden, ProxyErrors.Forbidden,
                "Requests from this address are not allowed for this application (IP allowlist).", "ip_not_allowed");
            return;
        }

        // 4. The route for this kind of key and its scopes.
        if (!routes.Allows(key, request.Method, path.AsSpan(subPathStart)))
        {
            var publicKey = key.Type == Core.ApiKeys.ApiKeyType.Public;
            await RefuseAsync(context, exchange, started, key.KeyId, StatusCodes.Status403Forbidden, ProxyErrors.Forbidden,
                publicKey ? "A public key may only call the public routes (sign-up, sign-in, refresh, session, .well-known); use a secret key."
                    : "The key's scopes do not allow this route.",
                publicKey ? "public_key" : "scope");
            return;
        }

        // 5. The key's rate limit and 6. the workspace's monthly quota, in one Redis round trip.
        var decision = await limiter.AcquireAsync(key.KeyId, application.Plan, application.WorkspaceId);
        exchange.RateLimit = decision;
        if (!decision.Allowed)
        {
            if (decision.QuotaExceeded)
            {
                await RefuseAsync(context, exchange, started, key.KeyId, StatusCodes.Status429TooManyRequests, ProxyErrors.QuotaExceeded,
                    "The workspace has used its plan's requests for this month; upgrade the plan or wait for the next month.",
                    retryAfter: decision.RetryAfterSeconds);
            }
            else
            {
                await RefuseAsync(context, exchange, started, key.KeyId, StatusCodes.Status429TooManyRequests, ProxyErrors.RateLimitExceeded,
                    "Too many requests with this key; slow down.", retryAfter: decision.RetryAfterSeconds);
            }

            return;
        }

        // The body limit: announced lengths up front, chunked bodies as they stream.
        if (request.ContentLength > _options.MaxRequestBodySize)
        {
            await RefuseAsync(context, exchange, started, key.KeyId, StatusCodes.Status413PayloadTooLarge, ProxyErrors.PayloadTooLarge, _payloadTooLargeMessage);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodyLimit)
        {
            bodyLimit.MaxRequestBodySize = _options.MaxRequestBodySize;
        }

        RequestBodyCountingStream? counter = null;
        if (request.ContentLength is null && (request.Headers.TransferEncoding.Count > 0 || !HttpMethods.IsGet(request.Method)))
        {
            counter = new RequestBodyCountingStream(request.Body);
            request.Body = counter;
        }

        exchange.AuthenticatesUser = HttpMethods.IsPost(request.Method) && AuthenticatesUser(path.AsSpan(subPathStart));
        exchange.ApplyHeaders(response.Headers);
        context.Features.Set(exchange);

        var error = await forwarder.SendAsync(context, application.InternalUrl!, forwarding.Client, _requestConfig, ProxyTransformer.Instance);
        if (exchange.Tap is { } tap)
        {
            response.Body = tap.Inner;
        }

        if (error != ForwarderError.None && !response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            response.Clear();
            exchange.ApplyHeaders(response.Headers);
            await WriteForwardingErrorAsync(context, error);
        }

        var bytesIn = request.ContentLength ?? counter?.BytesRead ?? 0;
        if (counter is not null)
        {
            request.Body = counter.Inner;
        }

        if (exchange.AuthenticatesUser && exchange.UserId is null && response.StatusCode is >= 200 and < 300 && exchange.Tap is { } captured)
        {
            exchange.UserId = ProxyTransformer.UserIdFromJson(captured.Captured);
        }

        Record(exchange, key.KeyId, context, started, bytesIn, countUser: error == ForwarderError.None);
    }

    private Task WriteForwardingErrorAsync(HttpContext context, ForwarderError error)
    {
        var exception = context.Features.Get<IForwarderErrorFeature>()?.Exception;
        if (error is ForwarderError.RequestBodyClient && IsBodyTooLarge(exception))
        {
            return PayloadTooLargeAsync(context);
        }

        LogForwardingFailed(logger, context.TraceIdentifier, error);
        return error switch
        {
            ForwarderError.RequestTimedOut => ProxyErrors.WriteAsync(context, StatusCodes.Status504GatewayTimeout, ProxyErrors.GatewayTimeout,
                "The application's instance did not answer in time."),
            ForwarderError.RequestBodyClient => ProxyErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "invalid_request",
                "The request body could not be read."),
            _ when context.Response.StatusCode == StatusCodes.Status504GatewayTimeout => ProxyErrors.WriteAsync(context,
                StatusCodes.Status504GatewayTimeout, ProxyErrors.GatewayTimeout, "The application's instance did not answer in time."),
            _ => ProxyErrors.WriteAsync(context, StatusCodes.Status502BadGateway, ProxyErrors.BadGateway,
                "The application's instance could not be reached or failed to answer."),
        };
    }

    private Task PayloadTooLargeAsync(HttpContext context) =>
        ProxyErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, ProxyErrors.PayloadTooLarge, _payloadTooLargeMessage);

    /// <summary>
    /// Refuses the request before it is forwarded: the exchange's headers, the error envelope, then, when the refusal
    /// is the application's to count (<paramref name="keyId"/> given), one usage event with no request body. Pooled,
    /// so a refusal whose write completes later allocates no state machine per request.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask RefuseAsync(HttpContext context, ProxyExchange exchange, long started, string? keyId,
        int statusCode, string code, string message, string? reason = null, long? retryAfter = null)
    {
        exchange.ApplyHeaders(context.Response.Headers);
        await ProxyErrors.WriteAsync(context, statusCode, code, message, reason, retryAfter);
        if (keyId is not null)
        {
            Record(exchange, keyId, context, started, bytesIn: 0);
        }
    }

    private static bool IsBodyTooLarge(Exception? exception) => exception switch
    {
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => true,
        AggregateException aggregate => aggregate.InnerExceptions.Any(IsBodyTooLarge),
        { InnerException: { } inner } => IsBodyTooLarge(inner),
        _ => false,
    };

    private void Record(ProxyExchange exchange, string keyId, HttpContext context, long started, long bytesIn, bool countUser = false)
    {
        var status = context.Response.StatusCode;
        var bytesOut = exchange.Tap?.BytesWritten ?? context.Response.ContentLength ?? 0;
        var userId = countUser && status is >= 200 and < 300 ? exchange.UserId : null;
        meter.Record(new UsageEvent(exchange.ApplicationId!, keyId, status, bytesIn, bytesOut,
            (long)Stopwatch.GetElapsedTime(started).TotalMicroseconds, userId, clock.GetUtcNow()));
    }

    private static bool AuthenticatesUser(ReadOnlySpan<char> path)
    {
        path = path.TrimEnd('/');
        return path.SequenceEqual("auth/sign-in") || path.SequenceEqual("auth/sign-up") || path.SequenceEqual("auth/refresh");
    }

    private static bool IsWellFormedApplicationId(ReadOnlySpan<char> id)
    {
        if (id.IsEmpty || id.Length > MaxApplicationIdLength)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string UnauthorizedMessage(KeyRefusal refusal) => refusal switch
    {
        KeyRefusal.Missing => "Send the application's key as 'Authorization: Bearer <key>' or in the X-AuthSome-Key header.",
        KeyRefusal.Revoked => "The key has been revoked.",
        KeyRefusal.Expired => "The key has expired.",
        KeyRefusal.OtherApplication => "The key belongs to another application.",
        _ => "The key is not valid.",
    };

    private static string UnavailableMessage(string reason) => reason switch
    {
        "provisioning" => "The application is still being provisioned; try again shortly.",
        "suspended" => "The application is suspended.",
        "deleting" => "The application is being deleted.",
        "deleted" => "The application has been deleted.",
        "failed" => "The application's provisioning failed.",
        _ => "The application is not serving requests.",
    };

    [LoggerMessage(LogLevel.Error, "The proxy failed on request {RequestId} for application {ApplicationId}")]
    private static partial void LogFailed(ILogger logger, string? applicationId, string requestId, Exception exception);

    [LoggerMessage(LogLevel.Information, "Forwarding request {RequestId} failed: {Error}")]
    private static partial void LogForwardingFailed(ILogger logger, string requestId, ForwarderError error);
}
