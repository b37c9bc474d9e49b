using Microsoft.AspNetCore.Authorization;
using Portal.Core.ApiTokens;

namespace Portal.Features.ControlApi;

/// <summary>The bearer token must carry this scope.</summary>
public sealed record ApiScopeRequirement(ApiScopes Scope) : IAuthorizationRequirement;
