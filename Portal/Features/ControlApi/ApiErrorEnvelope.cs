using System.Text.Json.Serialization;

namespace Portal.Features.ControlApi;

/// <summary>The body of every error of the control API: <c>{ "error": { "code", "message", "details"?, "requestId" } }</c>.</summary>
public sealed record ApiErrorEnvelope(ApiErrorEnvelope.ErrorBody Error)
{
    /// <param name="Code">One of invalid_request, unauthorized, forbidden, not_found, conflict, rate_limit_exceeded, internal_error, service_unavailable.</param>
    /// <param name="Details">What the error is about, e.g. <c>{ "field": "slug" }</c>.</param>
    /// <param name="RetryAfter">Seconds to wait before trying again (rate_limit_exceeded only).</param>
    public sealed record ErrorBody(
        string Code,
        string Message,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyDictionary<string, object?>? Details,
        string RequestId,
        [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? RetryAfter = null);
}
