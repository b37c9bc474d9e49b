using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Portal.Core;

namespace Portal.Features.Workspaces;

/// <summary>
/// What a refused workspace policy does to a page request: a workspace the user is not a member of does not exist
/// (404), and a member who lacks the two-factor authentication the workspace requires is sent to set it up.
/// Everything else keeps the default behaviour (sign-in redirect, access denied). The control API's handler, the one
/// registered, hands page requests to this one.
/// </summary>
internal sealed class WorkspaceAuthorizationResultHandler : IAuthorizationMiddlewareResultHandler
{
    public const string TwoFactorSetupPath = "/Account/Manage/TwoFactorAuthentication";

    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        var failure = authorizeResult.AuthorizationFailure?.FailureReasons.OfType<WorkspaceAuthorizationFailure>().FirstOrDefault();
        if (authorizeResult.Forbidden && failure is not null)
        {
            if (failure.MustSetUpTwoFactor)
            {
                context.Response.Redirect($"{TwoFactorSetupPath}?requiredBy={Uri.EscapeDataString(context.Request.Path)}");
                return Task.CompletedTask;
            }

            if (failure.Failure.Code == FailureCode.NotFound)
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return Task.CompletedTask;
            }
        }

        return _default.HandleAsync(next, context, policy, authorizeResult);
    }
}
