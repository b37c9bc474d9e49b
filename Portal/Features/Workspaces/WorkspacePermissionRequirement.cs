using Microsoft.AspNetCore.Authorization;
using Portal.Core.Workspaces;

namespace Portal.Features.Workspaces;

public sealed record WorkspacePermissionRequirement(WorkspacePermission Permission) : IAuthorizationRequirement;
