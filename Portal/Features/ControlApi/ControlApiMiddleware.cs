using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Portal.Core;

namespace Portal.Features.ControlApi;

/// <summary>
/// What the control API's requests need around their endpoint: the body size limit, a readable copy of the body for
/// idempotency fingerprints, and an error envelope for every failure that has no body of its own — malformed JSON
/// or unknown fields (400 naming the field), too large bodies (413), unmatched routes and methods, and unexpected
/// exceptions (500, never a stack trace). Other paths get only the bad-request handling minimal APIs had before.
/// </summary>
internal sealed partial class ControlApiMiddleware(RequestDelegate next, IOptions<ControlApiOptions> options, ILogger<ControlApiMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!ControlApiEndpoints.IsApiPath(context.Request.Path))
        {
            try
            {
                await next(context);
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                // Minimal APIs throw on bad input for the control API's sake; elsewhere answer as they do without throwing.
                context.Response.StatusCode = e.StatusCode;
            }

            return;
        }

        // The UI's status code pages would answer API errors with an HTML page.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } statusCodePages)
        {
            statusCodePages.Enabled = false;
        }

        var limit = options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            await TooLarge(limit).ExecuteAsync(context);
            return;
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit;
        }

        if (HttpMethods.IsPost(context.Request.Method) && context.Request.Headers.ContainsKey(IdempotencyFilter.Header))
        {
            context.Request.EnableBuffering(bufferThreshold: (int)Math.Min(limit, 64 * 1024), bufferLimit: limit);
        }

        if (ForbiddenTextInRequest(context) is { } parameter)
        {
            await ApiError.Invalid($"'{parameter}': {TextRules.ControlCharacterMessage}", parameter).ExecuteAsync(context);
            return;
        }

        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && e is not OperationCanceledException)
        {
            await ErrorFor(e, limit).ExecuteAsync(context);
            return;
        }

        if (context.Response.StatusCode >= 400 && !context.Response.HasStarted && context.Response.ContentType is null
            && context.Response.ContentLength is null or 0)
        {
            await ApiError.ForStatus(context.Response.StatusCode).ExecuteAsync(context);
        }
    }

    private ApiError ErrorFor(Exception exception, long limit)
    {
        switch (exception)
        {
            case BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge }:
                return TooLarge(limit);
            case BadHttpRequestException { InnerException: JsonException json }:
                return FromJson(json);
            case JsonException json:
                return FromJson(json);
            case BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status415UnsupportedMediaType:
                return ApiError.ForStatus(bad.StatusCode);
            case BadHttpRequestException bad when JsonFields.UnboundParameter(bad.Message) is { } parameter:
                return ApiError.Invalid($"'{parameter}' has a value of the wrong type or format.", parameter);
            case BadHttpRequestException bad when bad.Message.Contains("body was not provided", StringComparison.OrdinalIgnoreCase):
                return ApiError.Invalid("Send a JSON body.");
            case BadHttpRequestException bad:
                return bad.StatusCode == StatusCodes.Status400BadRequest
                    ? ApiError.Invalid("The request is not valid: check the path, query and body.")
                    : ApiError.ForStatus(bad.StatusCode);
            default:
                LogUnexpected(logger, exception);
                return ApiError.ForStatus(StatusCodes.Status500InternalServerError);
        }
    }

    /// <summary>
    /// The route or query parameter carrying a character no input may have (<see cref="TextRules"/>), or null: ids and
    /// filters reach SQL as text, and PostgreSQL answers NUL with an error.
    /// </summary>
    private static string? ForbiddenTextInRequest(HttpContext context)
    {
        foreach (var (name, value) in context.Request.RouteValues)
        {
            if (value is string text && TextRules.HasForbiddenCharacters(text))
            {
                return name;
            }
        }

        foreach (var (name, values) in context.Request.Query)
        {
            if (TextRules.HasForbiddenCharacters(name) || values.Any(v => v is not null && TextRules.HasForbiddenCharacters(v)))
            {
                return TextRules.HasForbiddenCharacters(name) ? "query" : name;
            }
        }

        return null;
    }

    private static ApiError TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, ApiError.InvalidRequest, $"The request body is larger than {limit} bytes.",
            new Dictionary<string, object?> { ["maxBytes"] = limit });

    /// <summary>400 naming the field at fault; the serializer's own message names .NET types, so it is not passed on.</summary>
    private static ApiError FromJson(JsonException json)
    {
        var field = JsonFields.FromPath(json.Path);
        if (json is TextInputJsonException)
        {
            return ApiError.Invalid(field is null ? TextRules.ControlCharacterMessage : $"'{field}': {TextRules.ControlCharacterMessage}", field);
        }

        var unknown = JsonFields.UnmappedMember(json.Message);
        if (unknown is not null)
        {
            var path = field is null || field.EndsWith(unknown, StringComparison.Ordinal) ? field ?? unknown : $"{field}.{unknown}";
            return ApiError.Invalid($"Unknown field '{path}'.", path);
        }

        if (json.Message.Contains("could not be converted", StringComparison.Ordinal) && field is not null)
        {
            return ApiError.Invalid($"Field '{field}' has a value of the wrong type or format.", field);
        }

        return field is null
            ? ApiError.Invalid("The body is not valid JSON.")
            : ApiError.Invalid($"The body is not valid JSON (at '{field}').", field);
    }

    [LoggerMessage(LogLevel.Error, "Unexpected exception in the control API")]
    private static partial void LogUnexpected(ILogger logger, Exception exception);
}
