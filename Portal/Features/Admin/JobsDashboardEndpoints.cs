using Hangfire;
using Hangfire.Dashboard;
using Microsoft.AspNetCore.Authorization;
using Portal.Core.Admin;

namespace Portal.Features.Admin;

public static class JobsDashboardEndpoints
{
    public const string Path = "/hangfire";

    /// <summary>The Hangfire dashboard, for platform administrators only: others are sent to sign in, or refused.</summary>
    public static IEndpointRouteBuilder MapJobsDashboard(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHangfireDashboard(Path, new DashboardOptions
        {
            DashboardTitle = "AuthSome Cloud jobs",
            AppPath = "/",
            Authorization = [],
            AsyncAuthorization = [new PlatformAdminDashboardAuthorization()],
        })
            .RequireAuthorization(PlatformAdminPolicy.Name);
        return endpoints;
    }

    /// <summary>The same check again inside Hangfire, so the dashboard stays closed even if its endpoint loses its policy.</summary>
    private sealed class PlatformAdminDashboardAuthorization : IDashboardAsyncAuthorizationFilter
    {
        public async Task<bool> AuthorizeAsync(DashboardContext context)
        {
            var http = context.GetHttpContext();
            var authorization = http.RequestServices.GetRequiredService<IAuthorizationService>();
            return (await authorization.AuthorizeAsync(http.User, PlatformAdminPolicy.Name)).Succeeded;
        }
    }
}
