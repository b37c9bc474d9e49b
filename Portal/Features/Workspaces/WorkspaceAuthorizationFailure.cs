using Microsoft.AspNetCore.Authorization;
using Portal.Core;

namespace Portal.Features.Workspaces;

/// <summary>Why a workspace policy refused: not found (not a member), or forbidden with a reason to show.</summary>
public sealed class WorkspaceAuthorizationFailure(IAuthorizationHandler handler, Failure failure, bool mustSetUpTwoFactor)
    : AuthorizationFailureReason(handler, failure.Message)
{
    public Failure Failure { get; } = failure;

    /// <summary>The member is refused only because the workspace requires two-factor authentication they lack.</summary>
    public bool MustSetUpTwoFactor { get; } = mustSetUpTwoFactor;
}
