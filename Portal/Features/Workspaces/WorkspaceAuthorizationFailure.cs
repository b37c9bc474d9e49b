using Microsoft.AspNetCore.Authorization;
using Portal.Core;

namespace Portal.Features.Workspaces;

/// <summary>Why a workspace policy refused: not found (not a member), or forbidden with a reason to show.</summary>
public sealed class WorkspaceAuthorizationFailure(IAuthorizationHandler handler, Failure failure)
    : AuthorizationFailureReason(handler, failure.Message)
{
    public Failure Failure { get; } = failure;
}
