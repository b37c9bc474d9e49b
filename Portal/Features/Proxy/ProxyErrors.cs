using System.Text.Json;

namespace Portal.Features.Proxy;

/// <summary>
/// The proxy's refusals in the control API's envelope <c>{ "error": { "code", "message", "details"?, "requestId", "retryAfter"? } }</c>,
/// written with a reused <see cref="Utf8JsonWriter"/> straight into the response (no reflection, no intermediate objects).
/// </summary>
public static class ProxyErrors
{
    public const string InvalidRequest = "invalid_request";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string ServiceUnavailable = "service_unavailable";
    public const string RateLimitExceeded = "rate_limit_exceeded";
    public const string QuotaExceeded = "quota_exceeded";
    public const string PayloadTooLarge = "payload_too_large";
    public const string BadGateway = "bad_gateway";
    public const string GatewayTimeout = "gateway_timeout";
    public const string InternalError = "internal_error";

    [ThreadStatic]
    private static Utf8JsonWriter? _writer;

    /// <summary>Answers with <paramref name="statusCode"/> and the envelope; <paramref name="reason"/> goes in <c>details.reason</c>.</summary>
    public static Task WriteAsync(HttpContext context, int statusCode, string code, string message, string? reason = null, long? retryAfter = null)
    {
        var response = context.Response;
        response.StatusCode = statusCode;
        response.ContentType = "application/json; charset=utf-8";
        response.Headers.CacheControl = "no-store";
        if (retryAfter is { } seconds)
        {
            response.Headers.RetryAfter = HeaderNumbers.Format(seconds);
        }

        var writer = _writer;
        if (writer is null)
        {
            _writer = writer = new Utf8JsonWriter(response.BodyWriter);
        }
        else
        {
            writer.Reset(response.BodyWriter);
        }

        try
        {
            writer.WriteStartObject();
            writer.WriteStartObject("error"u8);
            writer.WriteString("code"u8, code);
            writer.WriteString("message"u8, message);
            if (reason is not null)
            {
                writer.WriteStartObject("details"u8);
                writer.WriteString("reason"u8, reason);
                writer.WriteEndObject();
            }

            writer.WriteString("requestId"u8, context.TraceIdentifier);
            if (retryAfter is { } after)
            {
                writer.WriteNumber("retryAfter"u8, after);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
            writer.Flush();
        }
        finally
        {
            writer.Reset(Stream.Null);
        }

        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }
}
