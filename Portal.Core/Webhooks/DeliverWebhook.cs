using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Webhooks;

/// <summary>
/// One attempt of a delivery, as the delivery job runs it: claims the delivery (so two jobs never send it at once),
/// signs and POSTs the body, records the attempt, and either settles the delivery or schedules the next attempt with
/// backoff and jitter until the retry window ends. A destination refused as private fails the delivery at once.
/// </summary>
public sealed partial class DeliverWebhook(
    IDbContextFactory<PortalDbContext> dbFactory,
    WebhookSender sender,
    WebhookSecrets secrets,
    IWebhookQueue queue,
    IOptionsMonitor<WebhooksOptions> options,
    TimeProvider clock,
    ILogger<DeliverWebhook> logger)
{
    /// <summary>Scheduled jobs may start a little before the stored time (clock skew between workers).</summary>
    private static readonly TimeSpan EarlyTolerance = TimeSpan.FromSeconds(5);

    /// <summary>The attempt made, or null when there was nothing to do (not due, settled, or another job has it).</summary>
    public async Task<WebhookAttempt?> ExecuteAsync(string deliveryId, CancellationToken cancellationToken = default)
    {
        var settings = options.CurrentValue;
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var lockedUntil = now + settings.Timeout + TimeSpan.FromMinutes(1);
        var dueBy = now + EarlyTolerance;
        var claimed = await db.Set<WebhookDelivery>()
            .Where(d => d.Id == deliveryId && d.Status == WebhookDeliveryStatus.Pending && d.NextAttemptAt <= dueBy && (d.LockedUntil == null || d.LockedUntil < now))
            .ExecuteUpdateAsync(set => set.SetProperty(d => d.LockedUntil, lockedUntil), cancellationToken);
        if (claimed == 0)
        {
            return null;
        }

        var delivery = await db.Set<WebhookDelivery>().Include(d => d.Endpoint).SingleAsync(d => d.Id == deliveryId, cancellationToken);
        var endpoint = delivery.Endpoint!;
        var signing = new List<string> { secrets.Unprotect(endpoint.ProtectedSecret) };
        if (endpoint.ProtectedPreviousSecret is { } previous && endpoint.PreviousSecretExpiresAt > now)
        {
            signing.Add(secrets.Unprotect(previous));
        }

        var result = await sender.SendAsync(
            endpoint.Url, delivery.Id, delivery.EventType, delivery.Payload, now.ToUnixTimeSeconds(), signing, cancellationToken);
        var attempt = new WebhookAttempt
        {
            DeliveryId = delivery.Id,
            StartedAt = now,
            DurationMs = result.DurationMs,
            StatusCode = result.StatusCode,
            Error = result.Error,
            ResponseExcerpt = result.ResponseExcerpt,
        };
        db.Add(attempt);
        delivery.AttemptCount++;
        delivery.LastAttemptAt = now;
        delivery.LockedUntil = null;
        delivery.QueuedAt = null;
        DateTimeOffset? retryAt = null;
        if (attempt.Succeeded)
        {
            delivery.Status = WebhookDeliveryStatus.Succeeded;
            delivery.NextAttemptAt = null;
        }
        else if (!result.Refused && NextAttempt(settings, delivery.AttemptCount, clock.GetUtcNow()) is var next && next <= delivery.CreatedAt + settings.RetryWindow)
        {
            delivery.NextAttemptAt = retryAt = next;
        }
        else
        {
            delivery.Status = WebhookDeliveryStatus.Failed;
            delivery.NextAttemptAt = null;
            LogGaveUp(logger, delivery.Id, endpoint.Id, delivery.AttemptCount);
        }

        // The attempt is recorded even when the job is being stopped: it happened.
        await db.SaveChangesAsync(CancellationToken.None);
        if (retryAt is { } at)
        {
            queue.Schedule(delivery.Id, at);
            await db.Set<WebhookDelivery>().Where(d => d.Id == delivery.Id && d.QueuedAt == null)
                .ExecuteUpdateAsync(set => set.SetProperty(d => d.QueuedAt, clock.GetUtcNow()), CancellationToken.None);
        }

        return attempt;
    }

    /// <summary>After failed attempt number <paramref name="attempts"/>: its delay from the schedule plus up to 20 % jitter.</summary>
    public static DateTimeOffset NextAttempt(WebhooksOptions settings, int attempts, DateTimeOffset now)
    {
        var delays = settings.EffectiveRetryDelays;
        var delay = delays[Math.Clamp(attempts - 1, 0, delays.Count - 1)];
        return now + delay * (1 + (Random.Shared.NextDouble() * 0.2));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivery {DeliveryId} to endpoint {EndpointId} failed after {Attempts} attempts.")]
    private static partial void LogGaveUp(ILogger logger, string deliveryId, string endpointId, int attempts);
}
