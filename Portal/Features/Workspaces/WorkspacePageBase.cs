using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Core.Audit;
using Portal.Core.Workspaces;

namespace Portal.Features.Workspaces;

/// <summary>
/// A page of one workspace (route parameter <c>WorkspaceId</c>): loads the workspace as the signed-in member sees it,
/// and says what the member's role allows, from the one permissions table.
/// </summary>
public abstract class WorkspacePageBase : ComponentBase
{
    [Parameter]
    public string WorkspaceId { get; set; } = "";

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [CascadingParameter]
    private ClientInfo? Client { get; set; }

    [Inject]
    private WorkspaceQueries Queries { get; set; } = default!;

    protected WorkspaceSummary? Workspace { get; private set; }

    protected string? UserId { get; private set; }

    protected ClaimsPrincipal User { get; private set; } = new();

    /// <summary>False until the first load finished, so pages do not flash "not found".</summary>
    protected bool Loaded { get; private set; }

    protected bool Can(WorkspacePermission permission) =>
        Workspace is { } workspace && WorkspacePermissions.Allows(workspace.Role, permission)
        && (workspace.Status == WorkspaceStatus.Active || !WorkspacePermissions.Mutates(permission));

    /// <summary>The member as the actor of a change, with a request id of its own for each action.</summary>
    protected Actor Actor() =>
        User.ToActor(Client is null ? null : Client with { RequestId = Guid.NewGuid().ToString("N") })
        ?? throw new InvalidOperationException("A workspace page acts only for a signed-in user.");

    protected override async Task OnParametersSetAsync()
    {
        if (AuthenticationState is not null)
        {
            User = (await AuthenticationState).User;
            UserId = User.FindFirstValue(ClaimTypes.NameIdentifier);
        }

        await ReloadAsync();
        Loaded = true;
    }

    protected async Task ReloadAsync()
    {
        Workspace = UserId is null ? null : await Queries.GetAsync(UserId, WorkspaceId);
        await OnWorkspaceLoadedAsync();
    }

    protected virtual Task OnWorkspaceLoadedAsync() => Task.CompletedTask;
}
