using Portal.Core.Applications;

namespace Portal.Core.Webhooks;

/// <summary>The <c>data</c> of the application events: what a receiver needs to find the application, never a secret.</summary>
public static class PlatformEventData
{
    public static object Application(Application application, ApplicationStatus? status = null) => new
    {
        id = application.Id,
        workspaceId = application.WorkspaceId,
        name = application.Name,
        slug = application.Slug,
        environment = application.Environment,
        region = application.Region,
        status = status ?? application.Status,
    };

    public static object Failed(Application application, string step, string error) => new
    {
        application = Application(application, ApplicationStatus.Failed),
        step,
        error,
    };
}
