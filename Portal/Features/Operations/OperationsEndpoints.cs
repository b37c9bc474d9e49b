using Microsoft.AspNetCore.Http.HttpResults;
using Portal.Core.ApiTokens;
using Portal.Core.Operations;
using Portal.Features.ControlApi;

namespace Portal.Features.Operations;

/// <summary>A running instance as its workspace's members see it: its log (<see cref="InstanceLogs"/>).</summary>
public static class OperationsEndpoints
{
    public static RouteGroupBuilder MapOperationsEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/applications/{applicationId}/logs", LogsAsync)
            .WithTags("Operations")
            .WithName("GetApplicationLogs")
            .WithSummary("The last tail=N (1 to 1000, default 100) lines of an application's instance, merged across its pods, oldest first: " +
                         "since=30s|15m|2h|7d or an RFC 3339 time, level=debug|info|warn|error (that level and above), q= a text in the line (any case), " +
                         "pod= one pod; each line with time, pod, level, message and the other fields of a JSON line")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read));
        return api;
    }

    private static async Task<Results<Ok<InstanceLogPage>, ApiError>> LogsAsync(
        string applicationId, HttpContext http, InstanceLogs logs, string? since, string? tail, string? level, string? q, string? pod)
    {
        var read = await logs.ReadAsync(http.User.UserId(), applicationId, since, tail, level, q, pod, http.RequestAborted);
        return read.Succeeded ? TypedResults.Ok(read.Value) : ApiError.From(read.Failure);
    }
}
