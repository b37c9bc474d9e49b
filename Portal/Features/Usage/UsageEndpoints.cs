using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.ApiTokens;
using Portal.Core.Usage;
using Portal.Core.Workspaces;
using Portal.Features.ControlApi;
using Portal.Features.Workspaces;

namespace Portal.Features.Usage;

/// <summary>
/// Metrics of an application and usage of a workspace, for any member. Shapes: <see cref="ApplicationMetrics"/> and
/// <see cref="WorkspaceUsage"/>; latencies in milliseconds (null where an interval had no request), error rate
/// (4xx + 5xx) / requests as a fraction, bytes as integers, included amounts null where the plan sets none.
/// </summary>
public static class UsageEndpoints
{
    public static RouteGroupBuilder MapUsageEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/applications/{applicationId}/metrics", MetricsAsync)
            .WithTags("Usage")
            .WithName("GetApplicationMetrics")
            .WithSummary("An application's requests, errors, latency percentiles, bandwidth and active users over period=1h|24h|7d|30d (default 24h) " +
                         "in points of interval=1m|5m|1h|1d (default: 1m, 5m, 1h, 1d for those periods); every interval is present, zeros without traffic")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read));
        api.MapGet("/workspaces/{workspaceId}/usage", UsageAsync)
            .WithTags("Usage")
            .WithName("GetWorkspaceUsage")
            .WithSummary("A workspace's usage in period=YYYY-MM (default: this month, UTC): MAU, requests, storage and bandwidth (bytes in + out) " +
                         "per application (deleted ones too when they had usage) and in total, against the plan's included amounts")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read), WorkspacePolicies.For(WorkspacePermission.View));
        return api;
    }

    private static async Task<Results<Ok<ApplicationMetrics>, ApiError>> MetricsAsync(
        string applicationId, HttpContext http, ApplicationMetricsQueries queries, string? period, string? interval)
    {
        var found = await queries.GetAsync(http.User.UserId(), applicationId, period, interval, http.RequestAborted);
        return found.Succeeded ? TypedResults.Ok(found.Value) : ApiError.From(found.Failure);
    }

    private static async Task<Results<Ok<WorkspaceUsage>, ApiError>> UsageAsync(string workspaceId, HttpContext http, WorkspaceUsageQueries queries, string? period)
    {
        var found = await queries.GetAsync(http.User.UserId(), workspaceId, period, http.RequestAborted);
        return found.Succeeded ? TypedResults.Ok(found.Value) : ApiError.From(found.Failure);
    }
}
