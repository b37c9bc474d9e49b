using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Workspaces;

namespace Portal.Core.Webhooks;

/// <summary>
/// An application's webhook endpoints: create (the secret shown once), change, delete, rotate the secret (the old one
/// keeps signing for <see cref="WebhooksOptions.SecretRotationOverlap"/>), redeliver and send a test event. Every change
/// is audited, never with the secret.
/// </summary>
public sealed class ManageWebhooks(
    IDbContextFactory<PortalDbContext> dbFactory,
    AuditLog audit,
    WebhookSecrets secrets,
    PlatformEvents events,
    IOptionsMonitor<WebhooksOptions> options,
    WebhookHostResolver resolver,
    TimeProvider clock)
{
    public const string AuditTarget = "webhook_endpoint";
    public const int MaxDescriptionLength = 200;

    public async Task<Outcome<WebhookEndpointWithSecret>> CreateAsync(
        Actor actor, string applicationId, NewWebhookEndpoint request, CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue;
        var url = request.Url?.Trim();
        if (WebhookDestinations.ValidateFormat(url, settings.AllowPrivateDestinations, settings.EffectiveAllowedPorts) is { } badUrl)
        {
            return badUrl;
        }

        var subscribed = ValidateEvents(request.Events);
        if (!subscribed.Succeeded)
        {
            return subscribed.Failure;
        }

        var description = request.Description?.Trim();
        if (description?.Length > MaxDescriptionLength)
        {
            return Failure.Invalid("description", $"The description has at most {MaxDescriptionLength} characters.");
        }

        if (TextRules.Validate(description, "description", multiLine: true) is { } badDescription)
        {
            return badDescription;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, actor.UserId, applicationId, WorkspacePermission.ManageApplications, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        // Only now, for a caller who may manage the webhooks: the DNS lookup.
        if (await WebhookDestinations.ValidateHostAsync(url!, settings.AllowPrivateDestinations, resolver, cancellationToken) is { } badHost)
        {
            return badHost;
        }

        if (await db.Set<WebhookEndpoint>().CountAsync(e => e.ApplicationId == applicationId, cancellationToken) >= settings.MaxEndpointsPerApplication)
        {
            return Failure.Conflict($"An application has at most {settings.MaxEndpointsPerApplication} webhook endpoints; delete one first.");
        }

        var secret = WebhookSecrets.New();
        var endpoint = new WebhookEndpoint
        {
            ApplicationId = applicationId,
            Url = url!,
            Events = subscribed.Value,
            Enabled = request.Enabled ?? true,
            Description = string.IsNullOrEmpty(description) ? null : description,
            ProtectedSecret = secrets.Protect(secret),
            CreatedAt = clock.GetUtcNow(),
            CreatedByUserId = actor.UserId,
        };
        db.Add(endpoint);
        audit.Add(db, actor, "webhook.created", found.Value.WorkspaceId, AuditTarget, endpoint.Id, new AuditChanges()
            .Field<string?>("url", null, endpoint.Url)
            .Field<string?>("events", null, string.Join(" ", endpoint.Events))
            .Field<bool?>("enabled", null, endpoint.Enabled)
            .Field("description", null, endpoint.Description));
        await db.SaveChangesAsync(cancellationToken);
        return new WebhookEndpointWithSecret(WebhookEndpointView.From(endpoint), secret);
    }

    public async Task<Outcome<WebhookEndpointView>> UpdateAsync(
        Actor actor, string applicationId, string endpointId, WebhookEndpointChanges changes, CancellationToken cancellationToken = default)
    {
        var url = changes.Url?.Trim();
        if (url is not null && WebhookDestinations.ValidateFormat(url, options.CurrentValue.AllowPrivateDestinations, options.CurrentValue.EffectiveAllowedPorts) is { } badUrl)
        {
            return badUrl;
        }

        List<string>? subscribed = null;
        if (changes.Events is not null)
        {
            var validated = ValidateEvents(changes.Events);
            if (!validated.Succeeded)
            {
                return validated.Failure;
            }

            subscribed = validated.Value;
        }

        var description = changes.Description?.Trim();
        if (description?.Length > MaxDescriptionLength)
        {
            return Failure.Invalid("description", $"The description has at most {MaxDescriptionLength} characters.");
        }

        if (TextRules.Validate(description, "description", multiLine: true) is { } badDescription)
        {
            return badDescription;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindAsync(db, actor, applicationId, endpointId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        // Only now, for a caller who may manage the webhooks: the DNS lookup.
        if (url is not null && await WebhookDestinations.ValidateHostAsync(url, options.CurrentValue.AllowPrivateDestinations, resolver, cancellationToken) is { } badHost)
        {
            return badHost;
        }

        var (application, endpoint) = found.Value;
        var recorded = new AuditChanges()
            .Field("url", endpoint.Url, url ?? endpoint.Url)
            .Field("events", string.Join(" ", endpoint.Events), string.Join(" ", subscribed ?? endpoint.Events))
            .Field("enabled", endpoint.Enabled, changes.Enabled ?? endpoint.Enabled)
            .Field("description", endpoint.Description, description is null ? endpoint.Description : description.Length == 0 ? null : description);
        if (recorded.IsEmpty)
        {
            return WebhookEndpointView.From(endpoint);
        }

        endpoint.Url = url ?? endpoint.Url;
        endpoint.Events = subscribed ?? endpoint.Events;
        endpoint.Enabled = changes.Enabled ?? endpoint.Enabled;
        endpoint.Description = description is null ? endpoint.Description : description.Length == 0 ? null : description;
        endpoint.UpdatedAt = clock.GetUtcNow();
        audit.Add(db, actor, "webhook.updated", application.WorkspaceId, AuditTarget, endpoint.Id, recorded);
        await db.SaveChangesAsync(cancellationToken);
        return WebhookEndpointView.From(endpoint);
    }

    /// <summary>Deletes the endpoint with its deliveries and their attempts.</summary>
    public async Task<Outcome<WebhookEndpointView>> DeleteAsync(Actor actor, string applicationId, string endpointId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindAsync(db, actor, applicationId, endpointId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var (application, endpoint) = found.Value;
        db.Remove(endpoint);
        audit.Add(db, actor, "webhook.deleted", application.WorkspaceId, AuditTarget, endpoint.Id,
            new AuditChanges().Field<string?>("url", endpoint.Url, null));
        await db.SaveChangesAsync(cancellationToken);
        return WebhookEndpointView.From(endpoint);
    }

    /// <summary>A new secret, shown this once; the current one keeps signing (as a second <c>v1</c>) until the overlap ends.</summary>
    public async Task<Outcome<WebhookEndpointWithSecret>> RotateSecretAsync(Actor actor, string applicationId, string endpointId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindAsync(db, actor, applicationId, endpointId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var (application, endpoint) = found.Value;
        var now = clock.GetUtcNow();
        var secret = WebhookSecrets.New();
        var previousExpiry = endpoint.PreviousSecretExpiresAt;
        endpoint.ProtectedPreviousSecret = endpoint.ProtectedSecret;
        endpoint.PreviousSecretExpiresAt = now + options.CurrentValue.SecretRotationOverlap;
        endpoint.ProtectedSecret = secrets.Protect(secret);
        endpoint.UpdatedAt = now;
        audit.Add(db, actor, "webhook.secret_rotated", application.WorkspaceId, AuditTarget, endpoint.Id,
            new AuditChanges().Field("previousSecretExpiresAt", previousExpiry, endpoint.PreviousSecretExpiresAt));
        await db.SaveChangesAsync(cancellationToken);
        return new WebhookEndpointWithSecret(WebhookEndpointView.From(endpoint), secret);
    }

    /// <summary>Sends a delivery's event again, as a new delivery (same event id and body) with its own attempts and retries.</summary>
    public async Task<Outcome<WebhookDeliveryView>> RedeliverAsync(
        Actor actor, string applicationId, string endpointId, string deliveryId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindAsync(db, actor, applicationId, endpointId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var (application, endpoint) = found.Value;
        var original = await db.Set<WebhookDelivery>().AsNoTracking()
            .SingleOrDefaultAsync(d => d.Id == deliveryId && d.EndpointId == endpoint.Id, cancellationToken);
        if (original is null)
        {
            return Failure.NotFound("The delivery");
        }

        var delivery = PlatformEvents.NewDelivery(endpoint.Id, original.EventId, original.EventType, original.Payload, clock.GetUtcNow());
        delivery.RedeliveryOf = original.Id;
        return await AddAndQueueAsync(db, actor, application, endpoint, delivery, "webhook.redelivered", cancellationToken);
    }

    /// <summary>Sends a <c>webhook.test</c> event to this endpoint, whatever it subscribes to.</summary>
    public async Task<Outcome<WebhookDeliveryView>> SendTestAsync(Actor actor, string applicationId, string endpointId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindAsync(db, actor, applicationId, endpointId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var (application, endpoint) = found.Value;
        var now = clock.GetUtcNow();
        var eventId = Ids.New("evt");
        var payload = PlatformEvents.Payload(eventId, PlatformEventTypes.Test, now, new
        {
            application = new { id = application.Id, name = application.Name, slug = application.Slug },
            endpoint = new { id = endpoint.Id },
            message = "A test event from AuthSome Cloud.",
        });
        var delivery = PlatformEvents.NewDelivery(endpoint.Id, eventId, PlatformEventTypes.Test, payload, now);
        return await AddAndQueueAsync(db, actor, application, endpoint, delivery, "webhook.tested", cancellationToken);
    }

    private async Task<Outcome<WebhookDeliveryView>> AddAndQueueAsync(
        PortalDbContext db, Actor actor, Application application, WebhookEndpoint endpoint, WebhookDelivery delivery, string action, CancellationToken cancellationToken)
    {
        db.Add(delivery);
        audit.Add(db, actor, action, application.WorkspaceId, AuditTarget, endpoint.Id, new AuditChanges()
            .Field<string?>("delivery", null, delivery.Id)
            .Field<string?>("event", null, delivery.EventType));
        await db.SaveChangesAsync(cancellationToken);
        await events.EnqueueAsync(db, [delivery.Id], cancellationToken);
        return WebhookDeliveryView.From(delivery);
    }

    private static Outcome<List<string>> ValidateEvents(IReadOnlyList<string>? requested)
    {
        if (requested is null || requested.Count == 0)
        {
            return Failure.Invalid("events", $"Choose at least one event: {string.Join(", ", PlatformEventTypes.All)}.");
        }

        foreach (var requestedEvent in requested)
        {
            if (requestedEvent is null || !PlatformEventTypes.IsKnown(requestedEvent))
            {
                return Failure.Invalid("events", $"Unknown event '{requestedEvent}'. Known events: {string.Join(", ", PlatformEventTypes.All)}.");
            }
        }

        return requested.Distinct(StringComparer.Ordinal).ToList();
    }

    private static async Task<Outcome<(Application Application, WebhookEndpoint Endpoint)>> FindAsync(
        PortalDbContext db, Actor actor, string applicationId, string endpointId, CancellationToken cancellationToken)
    {
        var found = await ApplicationAccess.RequireAsync(db, actor.UserId, applicationId, WorkspacePermission.ManageApplications, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var endpoint = await db.Set<WebhookEndpoint>().SingleOrDefaultAsync(e => e.Id == endpointId && e.ApplicationId == applicationId, cancellationToken);
        return endpoint is null ? Failure.NotFound("The webhook endpoint") : (found.Value, endpoint);
    }
}
