using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Portal.Core;

namespace Portal.Features.ControlApi;

/// <summary>An error answer of the control API in the documented envelope; also writes it outside endpoints (middleware, authentication).</summary>
public sealed class ApiError(int statusCode, string code, string message, IReadOnlyDictionary<string, object?>? details = null, int? retryAfter = null)
    : IResult, IStatusCodeHttpResult
{
    public const string InvalidRequest = "invalid_request";
    public const string Unauthorized = "unauthorized";
    public const string Forbidden = "forbidden";
    public const string NotFound = "not_found";
    public const string Conflict = "conflict";
    public const string PlanLimit = "plan_limit";
    public const string RateLimitExceeded = "rate_limit_exceeded";
    public const string InternalError = "internal_error";
    public const string ServiceUnavailable = "service_unavailable";

    public int StatusCode { get; } = statusCode;

    int? IStatusCodeHttpResult.StatusCode => StatusCode;

    public string Code { get; } = code;

    public string Message { get; } = message;

    public static ApiError Invalid(string message, string? field = null) =>
        new(StatusCodes.Status400BadRequest, InvalidRequest, message, field is null ? null : new Dictionary<string, object?> { ["field"] = field });

    public static ApiError NotFoundError(string message = "Nothing is at this address.") => new(StatusCodes.Status404NotFound, NotFound, message);

    public static ApiError ForbiddenError(string message, IReadOnlyDictionary<string, object?>? details = null) =>
        new(StatusCodes.Status403Forbidden, Forbidden, message, details);

    public static ApiError ConflictError(string message) => new(StatusCodes.Status409Conflict, Conflict, message);

    public static ApiError Unavailable(string message) => new(StatusCodes.Status503ServiceUnavailable, ServiceUnavailable, message);

    /// <summary>The envelope of a use case's refusal; the failure's field goes in <c>details.field</c>.</summary>
    public static ApiError From(Failure failure)
    {
        var details = failure.Field is null ? null : new Dictionary<string, object?> { ["field"] = failure.Field };
        return failure.Code switch
        {
            FailureCode.InvalidRequest => new(StatusCodes.Status400BadRequest, InvalidRequest, failure.Message, details),
            FailureCode.Forbidden => new(StatusCodes.Status403Forbidden, Forbidden, failure.Message, details),
            FailureCode.NotFound => new(StatusCodes.Status404NotFound, NotFound, failure.Message, details),
            FailureCode.Conflict => new(StatusCodes.Status409Conflict, Conflict, failure.Message, details),
            FailureCode.PlanLimit => new(StatusCodes.Status403Forbidden, PlanLimit, failure.Message, details),
            FailureCode.Unavailable => new(StatusCodes.Status503ServiceUnavailable, ServiceUnavailable, failure.Message, details),
            _ => new(StatusCodes.Status500InternalServerError, InternalError, "Something went wrong on our side."),
        };
    }

    /// <summary>The generic envelope for a status code produced without one (405 from routing, 413 from the server, …).</summary>
    public static ApiError ForStatus(int statusCode) => statusCode switch
    {
        StatusCodes.Status401Unauthorized => new(statusCode, Unauthorized, "Send a valid bearer token in the Authorization header."),
        StatusCodes.Status403Forbidden => new(statusCode, Forbidden, "You may not do this."),
        StatusCodes.Status404NotFound => NotFoundError(),
        StatusCodes.Status405MethodNotAllowed => new(statusCode, InvalidRequest, "This address does not accept this method."),
        StatusCodes.Status409Conflict => new(statusCode, Conflict, "The request conflicts with the current state."),
        StatusCodes.Status413PayloadTooLarge => new(statusCode, InvalidRequest, "The request body is too large."),
        StatusCodes.Status415UnsupportedMediaType => new(statusCode, InvalidRequest, "Send the body as application/json."),
        StatusCodes.Status429TooManyRequests => new(statusCode, RateLimitExceeded, "Too many requests."),
        StatusCodes.Status503ServiceUnavailable => Unavailable("The service is unavailable; try again shortly."),
        >= 500 => new(statusCode, InternalError, "Something went wrong on our side. Quote the request id if you contact support."),
        _ => new(statusCode, InvalidRequest, "The request is not valid."),
    };

    public ApiErrorEnvelope ToEnvelope(HttpContext http) =>
        new(new ApiErrorEnvelope.ErrorBody(Code, Message, details, http.TraceIdentifier, retryAfter));

    public Task ExecuteAsync(HttpContext httpContext)
    {
        var json = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        httpContext.Response.StatusCode = StatusCode;
        return httpContext.Response.WriteAsJsonAsync(ToEnvelope(httpContext), json.GetTypeInfo(typeof(ApiErrorEnvelope)), "application/json; charset=utf-8");
    }
}
