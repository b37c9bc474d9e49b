using System.Security.Claims;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Features.Workspaces;

namespace Portal.Features.Applications.Lifecycle;

/// <summary>
/// A panel of the application page: loads the application as the signed-in member sees it (outsiders see nothing),
/// and acts as that member with the circuit's client information.
/// </summary>
public abstract class LifecycleComponentBase : ComponentBase
{
    [Parameter, EditorRequired]
    public string ApplicationId { get; set; } = "";

    [Parameter, EditorRequired]
    public string WorkspaceId { get; set; } = "";

    /// <summary>Whether the member may manage applications (the page decides from the permissions table; the use cases check again).</summary>
    [Parameter]
    public bool CanManage { get; set; }

    /// <summary>Raised after a change, so that the page reloads its header and tabs.</summary>
    [Parameter]
    public EventCallback<ApplicationView> OnChanged { get; set; }

    [CascadingParameter]
    private Task<AuthenticationState>? AuthenticationState { get; set; }

    [CascadingParameter]
    private ClientInfo? Client { get; set; }

    [Inject]
    private ApplicationQueries Queries { get; set; } = default!;

    protected ApplicationView? Application { get; private set; }

    protected ClaimsPrincipal User { get; private set; } = new();

    protected Actor Actor() =>
        User.ToActor(Client is null ? null : Client with { RequestId = Guid.NewGuid().ToString("N") })
        ?? throw new InvalidOperationException("An application panel acts only for a signed-in user.");

    protected override async Task OnParametersSetAsync()
    {
        if (AuthenticationState is not null)
        {
            User = (await AuthenticationState).User;
        }

        await ReloadAsync();
    }

    protected async Task ReloadAsync()
    {
        var userId = User.FindFirstValue(ClaimTypes.NameIdentifier);
        Application = null;
        if (userId is not null && await Queries.GetAsync(userId, ApplicationId) is { Succeeded: true } found && found.Value.WorkspaceId == WorkspaceId)
        {
            Application = found.Value;
        }

        await OnApplicationLoadedAsync();
    }

    protected virtual Task OnApplicationLoadedAsync() => Task.CompletedTask;

    protected async Task ChangedAsync()
    {
        await ReloadAsync();
        if (Application is { } application)
        {
            await OnChanged.InvokeAsync(application);
        }
    }
}
