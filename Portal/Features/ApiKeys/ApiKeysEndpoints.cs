using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.ApiKeys;
using Portal.Core.ApiTokens;
using Portal.Features.ControlApi;

namespace Portal.Features.ApiKeys;

/// <summary>An application's API keys: list (secret keys masked), create (a secret key's value shown once), revoke, rotate.</summary>
public static class ApiKeysEndpoints
{
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record CreateKeyRequest(string? Name, ApiKeyType? Type, IReadOnlyList<string>? Scopes, DateTimeOffset? ExpiresAt);

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record RotateKeyRequest(DateTimeOffset? OldKeyExpiresAt);

    /// <summary>A key; <see cref="Value"/> is present only in the answer that created it.</summary>
    public sealed record KeyResponse(
        string Id, string Name, ApiKeyType Type, string Display, IReadOnlyList<string> Scopes, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt,
        DateTimeOffset? RevokedAt, DateTimeOffset? LastUsedAt, string? Value = null)
    {
        public static KeyResponse From(ApiKeyView k) => new(k.Id, k.Name, k.Type, k.Display, k.Scopes, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt);

        public static KeyResponse From(CreatedApiKey created)
        {
            var k = created.Key;
            return new(k.Id, k.Name, k.Type, k.PublicValue ?? k.DisplayPrefix, k.Scopes, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt, created.Value);
        }
    }

    public static RouteGroupBuilder MapApiKeysEndpoints(this RouteGroupBuilder api)
    {
        // Keys are addressed through their application; the use cases check the caller's role in its workspace.
        var applications = api.MapGroup("/applications/{applicationId}").WithTags("Applications");
        applications.MapGet("/keys", ListKeysAsync)
            .WithName("ListKeys").WithSummary("List an application's keys: secret keys masked, with type, scopes, dates and last use")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read));
        applications.MapPost("/keys", CreateKeyAsync)
            .WithName("CreateKey").WithSummary("Create a key; a secret key's value is in this answer only")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write))
            .AddEndpointFilter<IdempotencyFilter>();
        applications.MapDelete("/keys/{keyId}", RevokeKeyAsync)
            .WithName("RevokeKey").WithSummary("Revoke a key at once")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write));
        applications.MapPost("/keys/{keyId}/rotate", RotateKeyAsync)
            .WithName("RotateKey").WithSummary("Replace a secret key; the old one works until oldKeyExpiresAt (24 hours by default)")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write))
            .AddEndpointFilter<IdempotencyFilter>();
        return api;
    }

    private static async Task<Results<Ok<List<KeyResponse>>, ApiError>> ListKeysAsync(string applicationId, HttpContext http, ApiKeyQueries queries)
    {
        var found = await queries.ListAsync(http.User.UserId(), applicationId, http.RequestAborted);
        return found.Succeeded ? TypedResults.Ok(found.Value.Select(KeyResponse.From).ToList()) : ApiError.From(found.Failure);
    }

    private static async Task<Results<Created<KeyResponse>, ApiError>> CreateKeyAsync(
        string applicationId, [FromBody] CreateKeyRequest request, HttpContext http, ManageApiKeys keys)
    {
        var created = await keys.CreateAsync(http.ToApiActor(), applicationId, request.Name, request.Type, request.Scopes, request.ExpiresAt, http.RequestAborted);
        return created.Succeeded
            ? TypedResults.Created($"{ControlApiEndpoints.Prefix}/applications/{applicationId}/keys/{created.Value.Key.Id}", KeyResponse.From(created.Value))
            : ApiError.From(created.Failure);
    }

    private static async Task<Results<NoContent, ApiError>> RevokeKeyAsync(string applicationId, string keyId, HttpContext http, ManageApiKeys keys)
    {
        var revoked = await keys.RevokeAsync(http.ToApiActor(), applicationId, keyId, http.RequestAborted);
        return revoked.Succeeded ? TypedResults.NoContent() : ApiError.From(revoked.Failure);
    }

    private static async Task<Results<Created<KeyResponse>, ApiError>> RotateKeyAsync(
        string applicationId, string keyId, [FromBody] RotateKeyRequest? request, HttpContext http, ManageApiKeys keys)
    {
        var rotated = await keys.RotateAsync(http.ToApiActor(), applicationId, keyId, request?.OldKeyExpiresAt, http.RequestAborted);
        return rotated.Succeeded
            ? TypedResults.Created($"{ControlApiEndpoints.Prefix}/applications/{applicationId}/keys/{rotated.Value.Key.Id}", KeyResponse.From(rotated.Value))
            : ApiError.From(rotated.Failure);
    }
}
