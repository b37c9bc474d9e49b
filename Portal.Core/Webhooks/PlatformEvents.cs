using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Core.Webhooks;

/// <summary>
/// The publisher of platform events, an outbox: <see cref="Add"/> records an event on the caller's
/// <see cref="PortalDbContext"/>, and when that context saves, a <see cref="WebhookDelivery"/> is added for every enabled
/// endpoint of the application subscribed to the event, in the same transaction as the change itself. After the save
/// commits, the new deliveries are handed to the queue; if the process dies in between (or the save ran inside an
/// explicit transaction), the sweeper (<see cref="SweepWebhookDeliveries"/>) queues them a minute later.
/// </summary>
/// <remarks>Registered as a SaveChanges interceptor of every context the portal's factory makes.</remarks>
public sealed partial class PlatformEvents(TimeProvider clock, IServiceProvider services, ILogger<PlatformEvents> logger) : SaveChangesInterceptor
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerOptions.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
    };

    private sealed record PendingEvent(string ApplicationId, string EventType, string EventId, string Payload);

    private sealed record Subscription(string Id, string ApplicationId, List<string> Events);

    private readonly ConditionalWeakTable<DbContext, List<PendingEvent>> _pending = [];
    private readonly ConditionalWeakTable<DbContext, List<string>> _saving = [];

    /// <summary>
    /// Records <paramref name="eventType"/> (one of <see cref="PlatformEventTypes.All"/>) of an application with its
    /// <paramref name="data"/> (serialized now, camelCase); the deliveries are made when <paramref name="db"/> saves.
    /// </summary>
    public void Add(PortalDbContext db, string applicationId, string eventType, object data)
    {
        if (!PlatformEventTypes.IsKnown(eventType))
        {
            throw new ArgumentException($"'{eventType}' is not in the platform event catalogue.", nameof(eventType));
        }

        var interceptors = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors;
        if (interceptors is null || !interceptors.Contains(this))
        {
            throw new InvalidOperationException("Platform events need a PortalDbContext from the portal's factory (its SaveChanges makes the deliveries).");
        }

        var eventId = Ids.New("evt");
        lock (_pending)
        {
            _pending.GetOrCreateValue(db).Add(new(applicationId, eventType, eventId, Payload(eventId, eventType, clock.GetUtcNow(), data)));
        }
    }

    /// <summary>The body of every delivery: <c>{ "id", "event", "timestamp", "data" }</c>.</summary>
    public static string Payload(string eventId, string eventType, DateTimeOffset timestamp, object data) =>
        JsonSerializer.Serialize(new { id = eventId, @event = eventType, timestamp = timestamp.UtcDateTime, data }, Json);

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db && Take(db) is { } events)
        {
            var endpoints = EndpointsQuery(db, events).ToList();
            AddDeliveries(db, events, endpoints);
        }

        return result;
    }

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(
        DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && Take(db) is { } events)
        {
            var endpoints = await EndpointsQuery(db, events).ToListAsync(cancellationToken);
            AddDeliveries(db, events, endpoints);
        }

        return result;
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        if (Saved(eventData.Context) is { } saved)
        {
            Enqueue(eventData.Context!, saved);
        }

        return result;
    }

    public override async ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        await EnqueueSavedAsync(eventData.Context, cancellationToken);
        return result;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData) => Forget(eventData.Context);

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private List<PendingEvent>? Take(DbContext db)
    {
        lock (_pending)
        {
            if (_pending.TryGetValue(db, out var events))
            {
                _pending.Remove(db);
                return events;
            }

            return null;
        }
    }

    private void Forget(DbContext? db)
    {
        if (db is not null)
        {
            lock (_pending)
            {
                _saving.Remove(db);
            }
        }
    }

    private static IQueryable<Subscription> EndpointsQuery(DbContext db, List<PendingEvent> events)
    {
        var applicationIds = events.Select(e => e.ApplicationId).Distinct().ToList();
        return db.Set<WebhookEndpoint>().AsNoTracking()
            .Where(e => applicationIds.Contains(e.ApplicationId) && e.Enabled)
            .OrderBy(e => e.Id)
            .Select(e => new Subscription(e.Id, e.ApplicationId, e.Events));
    }

    private void AddDeliveries(DbContext db, List<PendingEvent> events, List<Subscription> endpoints)
    {
        var now = clock.GetUtcNow();
        var added = new List<string>();
        foreach (var pending in events)
        {
            foreach (var endpoint in endpoints.Where(e => e.ApplicationId == pending.ApplicationId && e.Events.Contains(pending.EventType)))
            {
                var delivery = NewDelivery(endpoint.Id, pending.EventId, pending.EventType, pending.Payload, now);
                db.Add(delivery);
                added.Add(delivery.Id);
            }
        }

        if (added.Count > 0)
        {
            lock (_pending)
            {
                _saving.AddOrUpdate(db, added);
            }
        }
    }

    internal static WebhookDelivery NewDelivery(string endpointId, string eventId, string eventType, string payload, DateTimeOffset now) => new()
    {
        EndpointId = endpointId,
        EventId = eventId,
        EventType = eventType,
        Payload = payload,
        CreatedAt = now,
        NextAttemptAt = now,
    };

    private async Task EnqueueSavedAsync(DbContext? db, CancellationToken cancellationToken)
    {
        if (Saved(db) is { } saved)
        {
            await EnqueueAsync(db!, saved, cancellationToken);
        }
    }

    /// <summary>The deliveries the save just committed; null inside an explicit transaction (the sweeper queues those after the commit).</summary>
    private List<string>? Saved(DbContext? db)
    {
        if (db is null)
        {
            return null;
        }

        List<string>? saved;
        lock (_pending)
        {
            if (_saving.TryGetValue(db, out saved))
            {
                _saving.Remove(db);
            }
        }

        return db.Database.CurrentTransaction is null ? saved : null;
    }

    /// <summary>Hands committed deliveries to the queue and notes it; a failure here is left to the sweeper.</summary>
    internal async Task EnqueueAsync(DbContext db, IReadOnlyList<string> deliveryIds, CancellationToken cancellationToken)
    {
        if (services.GetService<IWebhookQueue>() is not { } queue)
        {
            return;
        }

        try
        {
            foreach (var id in deliveryIds)
            {
                queue.Enqueue(id);
            }

            var now = clock.GetUtcNow();
            await db.Set<WebhookDelivery>().Where(d => deliveryIds.Contains(d.Id))
                .ExecuteUpdateAsync(set => set.SetProperty(d => d.QueuedAt, now), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogEnqueueFailed(logger, e, deliveryIds.Count);
        }
    }

    private void Enqueue(DbContext db, List<string> deliveryIds)
    {
        if (services.GetService<IWebhookQueue>() is not { } queue)
        {
            return;
        }

        try
        {
            foreach (var id in deliveryIds)
            {
                queue.Enqueue(id);
            }

            var now = clock.GetUtcNow();
            db.Set<WebhookDelivery>().Where(d => deliveryIds.Contains(d.Id)).ExecuteUpdate(set => set.SetProperty(d => d.QueuedAt, now));
        }
        catch (Exception e)
        {
            LogEnqueueFailed(logger, e, deliveryIds.Count);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not queue {Count} webhook deliveries; the sweeper will queue them.")]
    private static partial void LogEnqueueFailed(ILogger logger, Exception exception, int count);
}
