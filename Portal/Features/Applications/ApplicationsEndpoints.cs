using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Portal.Core.ApiTokens;
using Portal.Core.Applications;
using Portal.Core.Workspaces;
using Portal.Features.ApiKeys;
using Portal.Features.ControlApi;
using Portal.Features.Workspaces;

namespace Portal.Features.Applications;

/// <summary>
/// Applications of a workspace. Creating answers 202: the application is provisioned in the
/// background, and the answer carries its first public and secret keys (the secret shown this once).
/// </summary>
public static class ApplicationsEndpoints
{
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record CreateApplicationRequest(string? Name, string? Slug, ApplicationEnvironment? Environment, string? Region, JsonElement? Configuration);

    /// <summary>
    /// A PATCH: the fields present change. A new configuration rolls the instance (status <c>restarting</c>); a new
    /// <see cref="IpAllowlist"/> (CIDR ranges or addresses; <c>[]</c> clears it) reaches the proxies within a second
    /// and rolls nothing.
    /// </summary>
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record UpdateApplicationRequest(string? Name, JsonElement? Configuration, IReadOnlyList<string?>? IpAllowlist = null);

    /// <summary>
    /// An application; <see cref="RestorableUntil"/> is set while it is deleted and can still be restored;
    /// <see cref="IpAllowlist"/> lists the CIDR ranges the proxy accepts clients from (empty: every address).
    /// </summary>
    public sealed record ApplicationResponse(
        string Id, string WorkspaceId, string Name, string Slug, ApplicationEnvironment Environment, string Region, ApplicationStatus Status,
        JsonElement Configuration, DateTimeOffset CreatedAt, DateTimeOffset? DeletedAt, DateTimeOffset? RestorableUntil = null)
    {
        public IReadOnlyList<string> IpAllowlist { get; init; } = [];

        public static ApplicationResponse From(ApplicationView a) =>
            new(a.Id, a.WorkspaceId, a.Name, a.Slug, a.Environment, a.Region, a.Status, JsonElement.Parse(a.Configuration), a.CreatedAt, a.DeletedAt)
            {
                IpAllowlist = a.IpAllowlist,
            };

        public static ApplicationResponse From(Application a) =>
            new(a.Id, a.WorkspaceId, a.Name, a.Slug, a.Environment, a.Region, a.Status, JsonElement.Parse(a.Configuration), a.CreatedAt, a.DeletedAt)
            {
                IpAllowlist = IpAllowlistRules.Format(a.IpAllowlist),
            };

        public static ApplicationResponse From(ApplicationView a, ApplicationOptions options) => From(a) with { RestorableUntil = Restorable(a.Status, options.RestorableUntil(a)) };

        public static ApplicationResponse From(Application a, ApplicationOptions options) => From(a) with { RestorableUntil = Restorable(a.Status, options.RestorableUntil(a)) };

        private static DateTimeOffset? Restorable(ApplicationStatus status, DateTimeOffset? until) => status == ApplicationStatus.Deleting ? until : null;
    }

    public sealed record CreatedApplicationResponse(ApplicationResponse Application, ApiKeysEndpoints.KeyResponse PublicKey, ApiKeysEndpoints.KeyResponse SecretKey);

    public static RouteGroupBuilder MapApplicationsEndpoints(this RouteGroupBuilder api)
    {
        var ofWorkspace = api.MapGroup("/workspaces/{workspaceId}/applications").WithTags("Applications");
        ofWorkspace.MapPost("/", CreateAsync)
            .WithName("CreateApplication").WithSummary("Create an application; it is provisioned in the background (202) and comes with a first key pair")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write), WorkspacePolicies.For(WorkspacePermission.ManageApplications))
            .AddEndpointFilter<IdempotencyFilter>();
        ofWorkspace.MapGet("/", ListAsync)
            .WithName("ListApplications").WithSummary("List a workspace's applications, optionally of one environment or status")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read), WorkspacePolicies.For(WorkspacePermission.View));

        // Applications are addressed by their own id; the use cases check the caller's role in the application's workspace.
        var applications = api.MapGroup("/applications/{applicationId}").WithTags("Applications");
        applications.MapGet("/", GetAsync)
            .WithName("GetApplication").WithSummary("Get an application")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read));
        applications.MapPatch("/", UpdateAsync)
            .WithName("UpdateApplication").WithSummary("Rename an application, change its configuration (rolls the instance with no downtime) or its IP allowlist (no roll)")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write));
        applications.MapDelete("/", DeleteAsync)
            .WithName("DeleteApplication").WithSummary("Delete an application (202): its keys stop working at once; restorable until restorableUntil")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write));
        applications.MapPost("/restore", RestoreAsync)
            .WithName("RestoreApplication").WithSummary("Restore a deleted application within its restore window")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write))
            .AddEndpointFilter<IdempotencyFilter>();
        applications.MapPost("/restart", RestartAsync)
            .WithName("RestartApplication").WithSummary("Restart an active application's instance with no downtime (202; status restarting, then active)")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write))
            .AddEndpointFilter<IdempotencyFilter>();
        applications.MapPost("/retry-provisioning", RetryAsync)
            .WithName("RetryProvisioning").WithSummary("Provision a failed application again, from the step that failed (202)")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write))
            .AddEndpointFilter<IdempotencyFilter>();
        return api;
    }

    private static async Task<Results<Accepted<CreatedApplicationResponse>, ApiError>> CreateAsync(
        string workspaceId, [FromBody] CreateApplicationRequest request, HttpContext http, CreateApplication create)
    {
        var configuration = request.Configuration is { ValueKind: not JsonValueKind.Null } json ? json.GetRawText() : null;
        var created = await create.ExecuteAsync(
            http.ToApiActor(), workspaceId, new NewApplication(request.Name, request.Slug, request.Environment, request.Region, configuration), http.RequestAborted);
        if (!created.Succeeded)
        {
            return ApiError.From(created.Failure);
        }

        var result = created.Value;
        return TypedResults.Accepted(
            $"{ControlApiEndpoints.Prefix}/applications/{result.Application.Id}",
            new CreatedApplicationResponse(ApplicationResponse.From(result.Application), ApiKeysEndpoints.KeyResponse.From(result.PublicKey), ApiKeysEndpoints.KeyResponse.From(result.SecretKey)));
    }

    private static async Task<Results<Ok<PageResponse<ApplicationResponse>>, ApiError>> ListAsync(
        string workspaceId, HttpContext http, ApplicationQueries queries, string? environment, string? status, int? page, int? pageSize)
    {
        if (Paging.Validate(page, pageSize) is { } invalid)
        {
            return invalid;
        }

        if (!TryParseFilter<ApplicationEnvironment>(environment, out var byEnvironment))
        {
            return ApiError.Invalid("environment is one of production, staging, development.", "environment");
        }

        if (!TryParseFilter<ApplicationStatus>(status, out var byStatus))
        {
            return ApiError.Invalid("status is one of provisioning, active, failed, restarting, suspended, deleting.", "status");
        }

        var found = await queries.ListAsync(http.User.UserId(), workspaceId, byEnvironment, byStatus, page ?? 1, pageSize ?? Paging.DefaultPageSize, http.RequestAborted);
        return found.Succeeded
            ? TypedResults.Ok(Paging.ToResponse<ApplicationView, ApplicationResponse>(found.Value, ApplicationResponse.From))
            : ApiError.From(found.Failure);
    }

    /// <summary>An optional enum filter of the query string, in any case; false when given but not a known value.</summary>
    private static bool TryParseFilter<T>(string? value, out T? parsed)
        where T : struct, Enum
    {
        parsed = null;
        if (value is null)
        {
            return true;
        }

        if (!Enum.TryParse<T>(value, ignoreCase: true, out var known) || !Enum.IsDefined(known) || int.TryParse(value, out _))
        {
            return false;
        }

        parsed = known;
        return true;
    }

    private static async Task<Results<Ok<ApplicationResponse>, ApiError>> GetAsync(
        string applicationId, HttpContext http, ApplicationQueries queries, IOptions<ApplicationOptions> options)
    {
        var found = await queries.GetAsync(http.User.UserId(), applicationId, http.RequestAborted);
        return found.Succeeded ? TypedResults.Ok(ApplicationResponse.From(found.Value, options.Value)) : ApiError.From(found.Failure);
    }

    private static async Task<Results<Ok<ApplicationResponse>, ApiError>> UpdateAsync(
        string applicationId, [FromBody] UpdateApplicationRequest request, HttpContext http, UpdateApplication update)
    {
        if (request.Configuration is { ValueKind: JsonValueKind.Null })
        {
            return ApiError.Invalid("configuration is a JSON object; send {} for the defaults.", "configuration");
        }

        var configuration = request.Configuration is { } json ? json.GetRawText() : null;
        var updated = await update.ExecuteAsync(http.ToApiActor(), applicationId, new ApplicationChange(request.Name, configuration, request.IpAllowlist), http.RequestAborted);
        return updated.Succeeded ? TypedResults.Ok(ApplicationResponse.From(updated.Value)) : ApiError.From(updated.Failure);
    }

    private static async Task<Results<Accepted<ApplicationResponse>, ApiError>> DeleteAsync(
        string applicationId, HttpContext http, DeleteApplication delete, IOptions<ApplicationOptions> options)
    {
        var deleted = await delete.ExecuteAsync(http.ToApiActor(), applicationId, confirmName: null, http.RequestAborted);
        return deleted.Succeeded
            ? TypedResults.Accepted($"{ControlApiEndpoints.Prefix}/applications/{applicationId}", ApplicationResponse.From(deleted.Value, options.Value))
            : ApiError.From(deleted.Failure);
    }

    private static async Task<Results<Ok<ApplicationResponse>, ApiError>> RestoreAsync(string applicationId, HttpContext http, DeleteApplication delete)
    {
        var restored = await delete.RestoreAsync(http.ToApiActor(), applicationId, http.RequestAborted);
        return restored.Succeeded ? TypedResults.Ok(ApplicationResponse.From(restored.Value)) : ApiError.From(restored.Failure);
    }

    private static async Task<Results<Accepted<ApplicationResponse>, ApiError>> RestartAsync(string applicationId, HttpContext http, RestartApplication restart)
    {
        var restarted = await restart.ExecuteAsync(http.ToApiActor(), applicationId, http.RequestAborted);
        return restarted.Succeeded
            ? TypedResults.Accepted($"{ControlApiEndpoints.Prefix}/applications/{applicationId}", ApplicationResponse.From(restarted.Value))
            : ApiError.From(restarted.Failure);
    }

    private static async Task<Results<Accepted<ApplicationResponse>, ApiError>> RetryAsync(string applicationId, HttpContext http, RetryProvisioning retry)
    {
        var retried = await retry.ExecuteAsync(http.ToApiActor(), applicationId, http.RequestAborted);
        return retried.Succeeded
            ? TypedResults.Accepted($"{ControlApiEndpoints.Prefix}/applications/{applicationId}", ApplicationResponse.From(retried.Value))
            : ApiError.From(retried.Failure);
    }
}
