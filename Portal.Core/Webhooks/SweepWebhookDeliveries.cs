using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Portal.Core.Webhooks;

/// <summary>
/// The outbox's safety net, run every minute: queues pending deliveries that are due but were never handed to the queue
/// (the process died between the commit and the enqueue), and those queued long ago and still due (their job was lost).
/// </summary>
public sealed class SweepWebhookDeliveries(IDbContextFactory<PortalDbContext> dbFactory, IWebhookQueue queue, IOptions<WebhooksOptions> options, TimeProvider clock)
{
    public const int BatchSize = 500;

    /// <summary>How many deliveries were queued.</summary>
    public async Task<int> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        var now = clock.GetUtcNow();
        var unqueuedBefore = now - settings.SweepGrace;
        var staleBefore = now - settings.StaleAfter;
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var ids = await db.Set<WebhookDelivery>()
            .Where(d => d.Status == WebhookDeliveryStatus.Pending && (d.LockedUntil == null || d.LockedUntil < now)
                && ((d.QueuedAt == null && d.NextAttemptAt <= unqueuedBefore) || (d.NextAttemptAt <= staleBefore && d.QueuedAt <= staleBefore)))
            .OrderBy(d => d.NextAttemptAt)
            .Select(d => d.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);
        foreach (var id in ids)
        {
            queue.Enqueue(id);
        }

        if (ids.Count > 0)
        {
            await db.Set<WebhookDelivery>().Where(d => ids.Contains(d.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(d => d.QueuedAt, now), cancellationToken);
        }

        return ids.Count;
    }
}
