using System.Security.Claims;
using Portal.Core.Audit;
using Portal.Features.Workspaces;

namespace Portal.Features.ControlApi;

/// <summary>Who calls the API, read from the principal the bearer token made.</summary>
public static class ControlApiCaller
{
    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimTypes.NameIdentifier) ?? throw new InvalidOperationException("The control API endpoints require an authenticated caller.");

    public static string? TokenId(this ClaimsPrincipal user) => user.FindFirstValue(ApiTokenAuthentication.TokenIdClaim);

    /// <summary>
    /// The partition of the caller's rate limit: the user, whichever of their tokens (login sessions and personal
    /// tokens alike) calls, so that making more tokens does not multiply the plan's limit. Every token acts for one
    /// user (<see cref="Core.ApiTokens.ApiTokenKind"/> has no workspace-scoped kind), so there is no other budget.
    /// </summary>
    public static string RateLimitPartition(this ClaimsPrincipal user) => $"user:{user.UserId()}";

    /// <summary>The audit actor of an API call: the user, acting through this token.</summary>
    public static Actor ToApiActor(this HttpContext http) =>
        Actor.Token(http.User.UserId(), http.User.FindFirstValue(ClaimTypes.Email), http.User.TokenId() ?? "", http.GetClientInfo());
}
