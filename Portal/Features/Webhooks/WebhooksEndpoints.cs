using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Portal.Core.ApiTokens;
using Portal.Core.Webhooks;
using Portal.Features.ControlApi;

namespace Portal.Features.Webhooks;

/// <summary>
/// An application's platform webhook endpoints, their deliveries and attempts. Creating an endpoint or rotating its
/// secret answers with the <c>whsec_</c> secret, the only time it is shown. Reads need View, changes ManageApplications.
/// </summary>
public static class WebhooksEndpoints
{
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record CreateWebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Description, bool? Enabled);

    /// <summary>Absent or null members stay as they are; an empty description removes it.</summary>
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record UpdateWebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Description, bool? Enabled);

    /// <summary>An endpoint; <see cref="Secret"/> is present only in the answers that create it or rotate its secret.</summary>
    public sealed record WebhookResponse(
        string Id, string ApplicationId, string Url, IReadOnlyList<string> Events, bool Enabled, string? Description, DateTimeOffset CreatedAt,
        DateTimeOffset? UpdatedAt, DateTimeOffset? PreviousSecretExpiresAt, string? Secret = null)
    {
        public static WebhookResponse From(WebhookEndpointView e, string? secret = null) =>
            new(e.Id, e.ApplicationId, e.Url, e.Events, e.Enabled, e.Description, e.CreatedAt, e.UpdatedAt, e.PreviousSecretExpiresAt, secret);
    }

    public sealed record AttemptResponse(DateTimeOffset StartedAt, int DurationMs, int? StatusCode, string? Error, string? ResponseExcerpt);

    public sealed record DeliveryResponse(
        string Id, string EndpointId, string EventId, string Event, WebhookDeliveryStatus Status, int AttemptCount, DateTimeOffset? NextAttemptAt,
        DateTimeOffset CreatedAt, DateTimeOffset? LastAttemptAt, string? RedeliveryOf, JsonElement Payload, IReadOnlyList<AttemptResponse> Attempts)
    {
        public static DeliveryResponse From(WebhookDeliveryView d) =>
            new(d.Id, d.EndpointId, d.EventId, d.EventType, d.Status, d.AttemptCount, d.NextAttemptAt, d.CreatedAt, d.LastAttemptAt, d.RedeliveryOf,
                JsonElement.Parse(d.Payload), [.. d.Attempts.Select(a => new AttemptResponse(a.StartedAt, a.DurationMs, a.StatusCode, a.Error, a.ResponseExcerpt))]);
    }

    /// <remarks>Every POST takes an <c>Idempotency-Key</c>: the filter keeps answers (here, with a secret) encrypted.</remarks>
    public static RouteGroupBuilder MapWebhooksEndpoints(this RouteGroupBuilder api)
    {
        // Addressed by the application's id; the use cases check the caller's role in the application's workspace.
        var webhooks = api.MapGroup("/applications/{applicationId}/webhooks").WithTags("Webhooks");
        webhooks.MapPost("/", CreateAsync)
            .WithName("CreateWebhook").WithSummary("Create a webhook endpoint; its whsec_ signing secret is in this answer only")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write))
            .AddEndpointFilter<IdempotencyFilter>();
        webhooks.MapGet("/", ListAsync)
            .WithName("ListWebhooks").WithSummary("List an application's webhook endpoints")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read));
        webhooks.MapGet("/{endpointId}", GetAsync)
            .WithName("GetWebhook").WithSummary("Get a webhook endpoint")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read));
        webhooks.MapPatch("/{endpointId}", UpdateAsync)
            .WithName("UpdateWebhook").WithSummary("Change a webhook endpoint's URL, events, description or enabled state")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write));
        webhooks.MapDelete("/{endpointId}", DeleteAsync)
            .WithName("DeleteWebhook").WithSummary("Delete a webhook endpoint with its deliveries")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write));
        webhooks.MapPost("/{endpointId}/rotate-secret", RotateSecretAsync)
            .WithName("RotateWebhookSecret").WithSummary("Give the endpoint a new secret (in this answer only); the old one keeps signing for 24 hours")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write))
            .AddEndpointFilter<IdempotencyFilter>();
        webhooks.MapGet("/{endpointId}/deliveries", ListDeliveriesAsync)
            .WithName("ListWebhookDeliveries").WithSummary("List an endpoint's deliveries, newest first, with their attempts")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Read));
        webhooks.MapPost("/{endpointId}/deliveries/{deliveryId}/redeliver", RedeliverAsync)
            .WithName("RedeliverWebhook").WithSummary("Send a delivery's event again, as a new delivery (202)")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write))
            .AddEndpointFilter<IdempotencyFilter>();
        webhooks.MapPost("/{endpointId}/test", SendTestAsync)
            .WithName("TestWebhook").WithSummary("Send a webhook.test event to the endpoint (202)")
            .RequireAuthorization(ControlApiPolicies.Scope(ApiScopes.Write))
            .AddEndpointFilter<IdempotencyFilter>();
        return api;
    }

    private static string Location(string applicationId, string endpointId) =>
        $"{ControlApiEndpoints.Prefix}/applications/{applicationId}/webhooks/{endpointId}";

    private static async Task<Results<Created<WebhookResponse>, ApiError>> CreateAsync(
        string applicationId, [FromBody] CreateWebhookRequest request, HttpContext http, ManageWebhooks webhooks)
    {
        var created = await webhooks.CreateAsync(
            http.ToApiActor(), applicationId, new NewWebhookEndpoint(request.Url, request.Events, request.Description, request.Enabled), http.RequestAborted);
        return created.Succeeded
            ? TypedResults.Created(Location(applicationId, created.Value.Endpoint.Id), WebhookResponse.From(created.Value.Endpoint, created.Value.Secret))
            : ApiError.From(created.Failure);
    }

    private static async Task<Results<Ok<List<WebhookResponse>>, ApiError>> ListAsync(string applicationId, HttpContext http, WebhookQueries queries)
    {
        var found = await queries.ListAsync(http.User.UserId(), applicationId, http.RequestAborted);
        return found.Succeeded ? TypedResults.Ok(found.Value.Select(e => WebhookResponse.From(e)).ToList()) : ApiError.From(found.Failure);
    }

    private static async Task<Results<Ok<WebhookResponse>, ApiError>> GetAsync(string applicationId, string endpointId, HttpContext http, WebhookQueries queries)
    {
        var found = await queries.GetAsync(http.User.UserId(), applicationId, endpointId, http.RequestAborted);
        return found.Succeeded ? TypedResults.Ok(WebhookResponse.From(found.Value)) : ApiError.From(found.Failure);
    }

    private static async Task<Results<Ok<WebhookResponse>, ApiError>> UpdateAsync(
        string applicationId, string endpointId, [FromBody] UpdateWebhookRequest request, HttpContext http, ManageWebhooks webhooks)
    {
        var updated = await webhooks.UpdateAsync(
            http.ToApiActor(), applicationId, endpointId, new WebhookEndpointChanges(request.Url, request.Events, request.Description, request.Enabled), http.RequestAborted);
        return updated.Succeeded ? TypedResults.Ok(WebhookResponse.From(updated.Value)) : ApiError.From(updated.Failure);
    }

    private static async Task<Results<NoContent, ApiError>> DeleteAsync(string applicationId, string endpointId, HttpContext http, ManageWebhooks webhooks)
    {
        var deleted = await webhooks.DeleteAsync(http.ToApiActor(), applicationId, endpointId, http.RequestAborted);
        return deleted.Succeeded ? TypedResults.NoContent() : ApiError.From(deleted.Failure);
    }

    private static async Task<Results<Ok<WebhookResponse>, ApiError>> RotateSecretAsync(string applicationId, string endpointId, HttpContext http, ManageWebhooks webhooks)
    {
        var rotated = await webhooks.RotateSecretAsync(http.ToApiActor(), applicationId, endpointId, http.RequestAborted);
        return rotated.Succeeded ? TypedResults.Ok(WebhookResponse.From(rotated.Value.Endpoint, rotated.Value.Secret)) : ApiError.From(rotated.Failure);
    }

    private static async Task<Results<Ok<PageResponse<DeliveryResponse>>, ApiError>> ListDeliveriesAsync(
        string applicationId, string endpointId, HttpContext http, WebhookQueries queries, int? page, int? pageSize)
    {
        if (Paging.Validate(page, pageSize) is { } invalid)
        {
            return invalid;
        }

        var found = await queries.ListDeliveriesAsync(http.User.UserId(), applicationId, endpointId, page ?? 1, pageSize ?? Paging.DefaultPageSize, http.RequestAborted);
        return found.Succeeded
            ? TypedResults.Ok(Paging.ToResponse<WebhookDeliveryView, DeliveryResponse>(found.Value, DeliveryResponse.From))
            : ApiError.From(found.Failure);
    }

    private static async Task<Results<Accepted<DeliveryResponse>, ApiError>> RedeliverAsync(
        string applicationId, string endpointId, string deliveryId, HttpContext http, ManageWebhooks webhooks)
    {
        var queued = await webhooks.RedeliverAsync(http.ToApiActor(), applicationId, endpointId, deliveryId, http.RequestAborted);
        return queued.Succeeded
            ? TypedResults.Accepted($"{Location(applicationId, endpointId)}/deliveries", DeliveryResponse.From(queued.Value))
            : ApiError.From(queued.Failure);
    }

    private static async Task<Results<Accepted<DeliveryResponse>, ApiError>> SendTestAsync(string applicationId, string endpointId, HttpContext http, ManageWebhooks webhooks)
    {
        var queued = await webhooks.SendTestAsync(http.ToApiActor(), applicationId, endpointId, http.RequestAborted);
        return queued.Succeeded
            ? TypedResults.Accepted($"{Location(applicationId, endpointId)}/deliveries", DeliveryResponse.From(queued.Value))
            : ApiError.From(queued.Failure);
    }
}
