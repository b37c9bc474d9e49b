using Microsoft.AspNetCore.Authorization;

namespace Portal.Features.Workspaces;

public static class WorkspacesWebServiceCollectionExtensions
{
    public static IServiceCollection AddWorkspacesWeb(this IServiceCollection services)
    {
        services.AddAuthorizationBuilder().AddWorkspacePolicies();
        services.AddSingleton<IAuthorizationHandler, WorkspacePermissionHandler>();
        return services;
    }
}
