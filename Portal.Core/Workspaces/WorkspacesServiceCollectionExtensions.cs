using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Changes;

namespace Portal.Core.Workspaces;

public static class WorkspacesServiceCollectionExtensions
{
    public static IServiceCollection AddWorkspaces(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<WorkspaceOptions>().Bind(configuration.GetSection(WorkspaceOptions.Section))
            .ValidateDataAnnotations().ValidateOnStart();
        services.AddScoped<CreateWorkspace>();
        services.AddScoped<UpdateWorkspace>();
        services.AddScoped<DeleteWorkspace>();
        services.AddScoped<PurgeDeletedWorkspaces>();
        services.AddScoped<WorkspaceQueries>();
        services.AddChanges(configuration);
        return services;
    }
}
