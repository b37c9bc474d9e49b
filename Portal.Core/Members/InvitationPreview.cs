using Portal.Core.Workspaces;

namespace Portal.Core.Members;

/// <summary>What the invitation page shows before the invitee accepts.</summary>
public sealed record InvitationPreview(string InvitationId, string WorkspaceId, string WorkspaceName, string Email, WorkspaceRole Role, DateTimeOffset ExpiresAt);
