using Microsoft.AspNetCore.Authorization;
using Portal.Core.ApiTokens;

namespace Portal.Features.ControlApi;

/// <summary>The control API's policies: a caller authenticated by a bearer token (never the UI's cookie), with a scope.</summary>
public static class ControlApiPolicies
{
    public const string Caller = "control-api";

    public static string Scope(ApiScopes scope) => $"control-api:{ApiScopeNames.Name(scope)}";

    public static AuthorizationBuilder AddControlApiPolicies(this AuthorizationBuilder builder)
    {
        builder.AddPolicy(Caller, policy => policy
            .AddAuthenticationSchemes(ApiTokenAuthentication.Scheme)
            .RequireAuthenticatedUser());
        foreach (var scope in ApiScopeNames.Each)
        {
            builder.AddPolicy(Scope(scope), policy => policy
                .AddAuthenticationSchemes(ApiTokenAuthentication.Scheme)
                .RequireAuthenticatedUser()
                .AddRequirements(new ApiScopeRequirement(scope)));
        }

        return builder;
    }
}
