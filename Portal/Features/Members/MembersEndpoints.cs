using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.ApiTokens;
using Portal.Core.Members;
using Portal.Core.Notifications;
using Portal.Core.Workspaces;
using Portal.Features.ControlApi;
using Portal.Features.Workspaces;

namespace Portal.Features.Members;

/// <summary>
/// <c>/control/v1/workspaces/{workspaceId}/members</c>: members and pending invitations in one list; a row's id is
/// <c>mem_…</c> for a member, <c>inv_…</c> for an invitation, and PATCH/DELETE take either.
/// </summary>
public static class MembersEndpoints
{
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record InviteMemberRequest(string? Email, WorkspaceRole? Role);

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record ChangeRoleRequest(WorkspaceRole? Role);

    public sealed record MemberResponse(
        string Id,
        string? UserId,
        string Email,
        string? Name,
        WorkspaceRole Role,
        MemberStatus Status,
        DateTimeOffset? JoinedAt,
        DateTimeOffset? InvitedAt,
        DateTimeOffset? ExpiresAt,
        bool TwoFactorEnabled)
    {
        public static MemberResponse From(MemberView m) =>
            new(m.Id, m.UserId, m.Email, m.Name, m.Role, m.Status, m.JoinedAt, m.InvitedAt, m.ExpiresAt, m.TwoFactorEnabled);

        public static MemberResponse From(Member m) =>
            new(m.Id, m.UserId, m.User?.Email ?? "", m.User?.DisplayName, m.Role, MemberStatus.Active, m.JoinedAt, m.InvitedAt, null,
                m.User?.TwoFactorEnabled ?? false);

        public static MemberResponse From(Invitation i, DateTimeOffset now) =>
            new(i.Id, null, i.Email, null, i.Role, i.ExpiresAt > now ? MemberStatus.Invited : MemberStatus.Expired, null, i.CreatedAt, i.ExpiresAt, false);
    }

    public sealed record MemberRoleResponse(string Id, WorkspaceRole Role);

    public static RouteGroupBuilder MapMembersEndpoints(this RouteGroupBuilder api)
    {
        var members = api.MapGroup("/workspaces/{workspaceId}/members").WithTags("Members");

        members.MapPost("/", InviteAsync)
            .WithName("InviteMember").WithSummary("Invite someone by email; the invitation is a row of the members list until accepted")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Admin), WorkspacePolicies.For(WorkspacePermission.ManageMembers))
            .AddEndpointFilter<IdempotencyFilter>();

        members.MapGet("/", ListAsync)
            .WithName("ListMembers").WithSummary("List members, then pending invitations")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read), WorkspacePolicies.For(WorkspacePermission.View));

        members.MapPatch("/{memberId}", ChangeRoleAsync)
            .WithName("ChangeMemberRole").WithSummary("Change the role of a member or of a pending invitation")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Admin), WorkspacePolicies.For(WorkspacePermission.ManageMembers));

        // Leaving (removing yourself) is open to every role, so the policy asks only to see the workspace; the use case decides the rest.
        members.MapDelete("/{memberId}", RemoveAsync)
            .WithName("RemoveMember").WithSummary("Remove a member, revoke an invitation, or leave (your own member id)")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Admin), WorkspacePolicies.For(WorkspacePermission.View));

        members.MapPost("/{memberId}/resend", ResendAsync)
            .WithName("ResendInvitation").WithSummary("Send a pending invitation again with a new link; earlier links stop working")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Admin), WorkspacePolicies.For(WorkspacePermission.ManageMembers))
            .AddEndpointFilter<IdempotencyFilter>();

        return api;
    }

    private static async Task<Results<Created<MemberResponse>, ApiError>> InviteAsync(
        string workspaceId, [FromBody] InviteMemberRequest request, HttpContext http, InviteMember invite, PortalLinks links, TimeProvider clock)
    {
        var invited = await invite.ExecuteAsync(http.ToApiActor(), workspaceId, request.Email, request.Role, links.BaseUrl, http.RequestAborted);
        return invited.Succeeded
            ? TypedResults.Created($"{ControlApiEndpoints.Prefix}/workspaces/{workspaceId}/members/{invited.Value.Id}", MemberResponse.From(invited.Value, clock.GetUtcNow()))
            : ApiError.From(invited.Failure);
    }

    private static async Task<Results<Ok<PageResponse<MemberResponse>>, ApiError>> ListAsync(
        string workspaceId, HttpContext http, MemberQueries queries, int? page, int? pageSize)
    {
        if (Paging.Validate(page, pageSize) is { } invalid)
        {
            return invalid;
        }

        var found = await queries.ListAsync(http.User.UserId(), workspaceId, page ?? 1, pageSize ?? Paging.DefaultPageSize, http.RequestAborted);
        return found.Succeeded ? TypedResults.Ok(Paging.ToResponse<MemberView, MemberResponse>(found.Value, MemberResponse.From)) : ApiError.From(found.Failure);
    }

    private static async Task<Results<Ok<MemberRoleResponse>, ApiError>> ChangeRoleAsync(
        string workspaceId, string memberId, [FromBody] ChangeRoleRequest request, HttpContext http, ChangeMemberRole change)
    {
        var changed = await change.ExecuteAsync(http.ToApiActor(), workspaceId, memberId, request.Role, http.RequestAborted);
        return changed.Succeeded ? TypedResults.Ok(new MemberRoleResponse(memberId, changed.Value)) : ApiError.From(changed.Failure);
    }

    private static async Task<Results<NoContent, ApiError>> RemoveAsync(string workspaceId, string memberId, HttpContext http, RemoveMember remove)
    {
        var removed = await remove.ExecuteAsync(http.ToApiActor(), workspaceId, memberId, http.RequestAborted);
        return removed.Succeeded ? TypedResults.NoContent() : ApiError.From(removed.Failure);
    }

    private static async Task<Results<Ok<MemberResponse>, ApiError>> ResendAsync(
        string workspaceId, string memberId, HttpContext http, InviteMember invite, PortalLinks links, TimeProvider clock)
    {
        if (!memberId.StartsWith("inv_", StringComparison.Ordinal))
        {
            return ApiError.Invalid("Only invitations (inv_…) can be resent.", "memberId");
        }

        var resent = await invite.ResendAsync(http.ToApiActor(), workspaceId, memberId, links.BaseUrl, http.RequestAborted);
        return resent.Succeeded ? TypedResults.Ok(MemberResponse.From(resent.Value, clock.GetUtcNow())) : ApiError.From(resent.Failure);
    }
}
