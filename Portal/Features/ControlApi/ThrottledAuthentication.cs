namespace Portal.Features.ControlApi;

/// <summary>Set on the request when the token was not looked up because its address is throttled.</summary>
internal sealed record ThrottledAuthentication(long RetryAfterSeconds);
