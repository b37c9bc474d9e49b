using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.Extensions.Options;
using Portal.Core;
using Portal.Features.Workspaces;

namespace Portal.Features.ControlApi;

/// <summary>
/// For control API paths only (the UI keeps its cookie redirects): once the caller is known, counts the request
/// against their plan's rate limit, then answers a refused policy in the error envelope: 404 when the workspace is
/// not the caller's (it does not exist for them), 403 with the reason otherwise.
/// </summary>
internal sealed class ControlApiAuthorizationResultHandler(
    ControlApiRateLimiter limiter, CallerPlans plans, IOptions<ControlApiOptions> options) : IAuthorizationMiddlewareResultHandler
{
    // Pages keep the workspace answers (404, the two-factor set-up) and the cookie redirects.
    private readonly WorkspaceAuthorizationResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        if (!ControlApiEndpoints.IsApiPath(context.Request.Path) || authorizeResult.Challenged
            || context.User.Identity?.AuthenticationType != ApiTokenAuthentication.Scheme)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        var plan = await plans.GetAsync(context.User.UserId(), context.RequestAborted);
        var decision = await limiter.AcquireAsync(context.User.RateLimitPartition(), options.Value.RateLimits.For(plan));
        decision.WriteHeaders(context.Response);
        if (!decision.Allowed)
        {
            await decision.ToError().ExecuteAsync(context);
            return;
        }

        if (authorizeResult.Succeeded)
        {
            await next(context);
            return;
        }

        await Refusal(authorizeResult.AuthorizationFailure).ExecuteAsync(context);
    }

    private static ApiError Refusal(AuthorizationFailure? failure)
    {
        var reasons = failure?.FailureReasons ?? [];
        if (reasons.OfType<WorkspaceAuthorizationFailure>().FirstOrDefault(r => r.Failure.Code == FailureCode.NotFound) is { } notFound)
        {
            return ApiError.From(notFound.Failure);
        }

        if (reasons.OfType<ApiScopeFailure>().FirstOrDefault() is { } scope)
        {
            return ApiError.ForbiddenError(scope.Message, new Dictionary<string, object?> { ["missingScope"] = Core.ApiTokens.ApiScopeNames.Name(scope.Scope) });
        }

        return reasons.OfType<WorkspaceAuthorizationFailure>().FirstOrDefault() is { } workspace
            ? ApiError.From(workspace.Failure)
            : ApiError.ForbiddenError("You may not do this.");
    }
}
