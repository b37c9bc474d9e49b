using Microsoft.AspNetCore.Authorization;
using Portal.Core.ApiTokens;

namespace Portal.Features.ControlApi;

internal sealed class ApiScopeHandler : AuthorizationHandler<ApiScopeRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, ApiScopeRequirement requirement)
    {
        if (context.User.HasClaim(ApiTokenAuthentication.ScopeClaim, ApiScopeNames.Name(requirement.Scope)))
        {
            context.Succeed(requirement);
        }
        else if (context.User.Identity?.IsAuthenticated == true)
        {
            context.Fail(new ApiScopeFailure(this, requirement.Scope));
        }

        return Task.CompletedTask;
    }
}
