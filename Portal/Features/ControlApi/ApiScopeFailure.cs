using Microsoft.AspNetCore.Authorization;
using Portal.Core.ApiTokens;

namespace Portal.Features.ControlApi;

/// <summary>Why a scope requirement refused: the token lacks <see cref="Scope"/>.</summary>
public sealed class ApiScopeFailure(IAuthorizationHandler handler, ApiScopes scope)
    : AuthorizationFailureReason(handler, $"This token lacks the '{ApiScopeNames.Name(scope)}' scope.")
{
    public ApiScopes Scope { get; } = scope;
}
