using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.ApiTokens;
using Portal.Core.Members;
using Portal.Core.Workspaces;
using Portal.Features.ControlApi;
using Portal.Features.Members;

namespace Portal.Features.Workspaces;

/// <summary><c>/control/v1/workspaces</c>: create, list, read, change, delete, restore, transfer ownership.</summary>
public static class WorkspacesEndpoints
{
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record CreateWorkspaceRequest(string? Name, string? Slug);

    /// <summary>Fields left out (or null) stay as they are.</summary>
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record UpdateWorkspaceRequest(string? Name, Dictionary<string, string>? Metadata, bool? RequireTwoFactor);

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record TransferOwnershipRequest(string? MemberId);

    public sealed record WorkspaceResponse(
        string Id,
        string Name,
        string Slug,
        WorkspacePlan Plan,
        WorkspaceStatus Status,
        WorkspaceRole Role,
        int MembersCount,
        IReadOnlyDictionary<string, string> Metadata,
        bool RequireTwoFactor,
        DateTimeOffset CreatedAt,
        DateTimeOffset? DeletedAt)
    {
        public static WorkspaceResponse From(WorkspaceSummary w) =>
            new(w.Id, w.Name, w.Slug, w.Plan, w.Status, w.Role, w.MembersCount, w.Metadata, w.RequireTwoFactor, w.CreatedAt, w.DeletedAt);
    }

    public static RouteGroupBuilder MapWorkspacesEndpoints(this RouteGroupBuilder api)
    {
        var workspaces = api.MapGroup("/workspaces").WithTags("Workspaces");

        workspaces.MapPost("/", CreateAsync)
            .WithName("CreateWorkspace").WithSummary("Create a workspace on the free plan, with you as its owner")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write))
            .AddEndpointFilter<IdempotencyFilter>();

        workspaces.MapGet("/", ListAsync)
            .WithName("ListWorkspaces").WithSummary("List the workspaces you are a member of")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read));

        workspaces.MapGet("/{workspaceId}", GetAsync)
            .WithName("GetWorkspace").WithSummary("Get a workspace")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read), WorkspacePolicies.For(WorkspacePermission.View));

        workspaces.MapPatch("/{workspaceId}", UpdateAsync)
            .WithName("UpdateWorkspace").WithSummary("Rename a workspace, change its metadata or require two-factor authentication")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write), WorkspacePolicies.For(WorkspacePermission.ManageSettings));

        workspaces.MapDelete("/{workspaceId}", DeleteAsync)
            .WithName("DeleteWorkspace").WithSummary("Delete a workspace (owners; restorable during the grace period)")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Admin), WorkspacePolicies.For(WorkspacePermission.Own));

        workspaces.MapPost("/{workspaceId}/restore", RestoreAsync)
            .WithName("RestoreWorkspace").WithSummary("Restore a deleted workspace (owners)")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Admin), WorkspacePolicies.For(WorkspacePermission.Own))
            .AddEndpointFilter<IdempotencyFilter>();

        workspaces.MapPost("/{workspaceId}/transfer-ownership", TransferOwnershipAsync)
            .WithName("TransferOwnership").WithSummary("Make another member the owner; you become an admin")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Admin), WorkspacePolicies.For(WorkspacePermission.Own))
            .AddEndpointFilter<IdempotencyFilter>();

        return api;
    }

    private static async Task<Results<Created<WorkspaceResponse>, ApiError>> CreateAsync(
        [FromBody] CreateWorkspaceRequest request, HttpContext http, CreateWorkspace create, WorkspaceQueries queries)
    {
        var created = await create.ExecuteAsync(http.ToApiActor(), request.Name, request.Slug, http.RequestAborted);
        if (!created.Succeeded)
        {
            return ApiError.From(created.Failure);
        }

        var summary = await queries.GetAsync(http.User.UserId(), created.Value.Id, http.RequestAborted);
        return TypedResults.Created($"{ControlApiEndpoints.Prefix}/workspaces/{created.Value.Id}", WorkspaceResponse.From(summary!));
    }

    private static async Task<Results<Ok<PageResponse<WorkspaceResponse>>, ApiError>> ListAsync(
        HttpContext http, WorkspaceQueries queries, int? page, int? pageSize)
    {
        if (Paging.Validate(page, pageSize) is { } invalid)
        {
            return invalid;
        }

        var found = await queries.ListAsync(http.User.UserId(), page ?? 1, pageSize ?? Paging.DefaultPageSize, http.RequestAborted);
        return TypedResults.Ok(Paging.ToResponse<WorkspaceSummary, WorkspaceResponse>(found, WorkspaceResponse.From));
    }

    private static async Task<Results<Ok<WorkspaceResponse>, ApiError>> GetAsync(string workspaceId, HttpContext http, WorkspaceQueries queries)
    {
        var found = await queries.GetAsync(http.User.UserId(), workspaceId, http.RequestAborted);
        return found is null ? ApiError.NotFoundError("The workspace was not found.") : TypedResults.Ok(WorkspaceResponse.From(found));
    }

    private static async Task<Results<Ok<WorkspaceResponse>, ApiError>> UpdateAsync(
        string workspaceId, [FromBody] UpdateWorkspaceRequest request, HttpContext http, UpdateWorkspace update, WorkspaceQueries queries)
    {
        var updated = await update.ExecuteAsync(http.ToApiActor(), workspaceId,
            new WorkspaceChange(request.Name, request.Metadata, request.RequireTwoFactor), http.RequestAborted);
        return updated.Succeeded ? await CurrentAsync(http, queries, workspaceId) : ApiError.From(updated.Failure);
    }

    private static async Task<Results<NoContent, ApiError>> DeleteAsync(string workspaceId, HttpContext http, DeleteWorkspace delete)
    {
        var deleted = await delete.ExecuteAsync(http.ToApiActor(), workspaceId, confirmSlug: null, http.RequestAborted);
        return deleted.Succeeded ? TypedResults.NoContent() : ApiError.From(deleted.Failure);
    }

    private static async Task<Results<Ok<WorkspaceResponse>, ApiError>> RestoreAsync(
        string workspaceId, HttpContext http, DeleteWorkspace delete, WorkspaceQueries queries)
    {
        var restored = await delete.RestoreAsync(http.ToApiActor(), workspaceId, http.RequestAborted);
        return restored.Succeeded ? await CurrentAsync(http, queries, workspaceId) : ApiError.From(restored.Failure);
    }

    private static async Task<Results<Ok<MembersEndpoints.MemberResponse>, ApiError>> TransferOwnershipAsync(
        string workspaceId, [FromBody] TransferOwnershipRequest request, HttpContext http, TransferOwnership transfer)
    {
        if (string.IsNullOrWhiteSpace(request.MemberId))
        {
            return ApiError.Invalid("Name the member (memberId) who becomes the owner.", "memberId");
        }

        var transferred = await transfer.ExecuteAsync(http.ToApiActor(), workspaceId, request.MemberId, http.RequestAborted);
        return transferred.Succeeded ? TypedResults.Ok(MembersEndpoints.MemberResponse.From(transferred.Value)) : ApiError.From(transferred.Failure);
    }

    private static async Task<Results<Ok<WorkspaceResponse>, ApiError>> CurrentAsync(HttpContext http, WorkspaceQueries queries, string workspaceId)
    {
        var current = await queries.GetAsync(http.User.UserId(), workspaceId, http.RequestAborted);
        return current is null ? ApiError.NotFoundError("The workspace was not found.") : TypedResults.Ok(WorkspaceResponse.From(current));
    }
}
