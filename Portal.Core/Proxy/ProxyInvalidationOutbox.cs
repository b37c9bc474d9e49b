using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Changes;

namespace Portal.Core.Proxy;

/// <summary>
/// Makes the proxies' invalidations durable: <see cref="Key"/> and <see cref="Application"/> add the outbox row to
/// the caller's unit of work (saved, or not, with the change), <see cref="PublishAsync"/> sends the saved rows right
/// after the commit and deletes them. A row whose publish failed stays, and <see cref="ProxyInvalidationPublisher"/>
/// sends it within a second of Redis answering again; the same goes for rows of a process that died before
/// publishing. Publishing twice is harmless (an invalidation only makes a replica look again).
/// </summary>
public sealed partial class ProxyInvalidationOutbox(
    IDbContextFactory<PortalDbContext> dbFactory, ProxyKeyInvalidation invalidation, TimeProvider clock, ILogger<ProxyInvalidationOutbox> logger) : IDisposable
{
    private const int Batch = 100;

    private readonly SemaphoreSlim _wake = new(0, 1);

    /// <summary>Waits until <see cref="Wake"/> (a publish failed, Redis is back) or the timeout.</summary>
    internal Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _wake.WaitAsync(timeout, cancellationToken);

    /// <summary>Lets the retrier try now rather than at its next interval.</summary>
    internal void Wake()
    {
        try
        {
            if (_wake.CurrentCount == 0)
            {
                _wake.Release();
            }
        }
        catch (SemaphoreFullException)
        {
            // Woken already.
        }
    }

    /// <summary>The key (its hash) changed: revoked, or its expiry moved.</summary>
    public ProxyInvalidation Key(PortalDbContext db, byte[] hash) => Add(db, ProxyInvalidationKind.Key, new KeyHash(hash).ToHex());

    /// <summary>The application changed in a way the proxies must see at once (deleted, suspended, its allowlist).</summary>
    public ProxyInvalidation Application(PortalDbContext db, string applicationId) => Add(db, ProxyInvalidationKind.Application, applicationId);

    private ProxyInvalidation Add(PortalDbContext db, ProxyInvalidationKind kind, string target)
    {
        var row = new ProxyInvalidation { Kind = kind, Target = target, CreatedAt = clock.GetUtcNow() };
        db.Add(row);
        return row;
    }

    /// <summary>
    /// Publishes rows just saved and deletes them; never fails the caller (the change is saved): a row not published
    /// is left to the retrier.
    /// </summary>
    public async Task PublishAsync(params IReadOnlyList<ProxyInvalidation> rows)
    {
        var published = new List<long>(rows.Count);
        try
        {
            foreach (var row in rows)
            {
                await invalidation.PublishAsync(row);
                published.Add(row.Id);
            }
        }
        catch (Exception e) when (ChangeChannel.IsRedisFailure(e))
        {
            LogPublishFailed(logger, e.Message);
            Wake();
        }
        finally
        {
            if (published.Count > 0)
            {
                await DeleteAsync(published);
            }
        }
    }

    private async Task DeleteAsync(List<long> ids)
    {
        try
        {
            await using var db = await dbFactory.CreateDbContextAsync();
            await db.Set<ProxyInvalidation>().Where(i => ids.Contains(i.Id)).ExecuteDeleteAsync();
        }
        catch (Exception e) when (e is DbException or InvalidOperationException or TimeoutException)
        {
            // Published already; the retrier publishes it once more (harmless) and deletes it.
            LogDeleteFailed(logger, e.Message);
        }
    }

    /// <summary>
    /// Publishes and deletes what is left, oldest first, in batches; rows another process is publishing are skipped.
    /// Stops at the first Redis failure (the rows stay). Returns how many were published.
    /// </summary>
    public async Task<int> PublishPendingAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var rows = await db.Set<ProxyInvalidation>()
                .FromSql($"SELECT * FROM \"ProxyInvalidations\" ORDER BY \"Id\" LIMIT {Batch} FOR UPDATE SKIP LOCKED")
                .AsNoTracking().ToListAsync(cancellationToken);
            if (rows.Count == 0)
            {
                return total;
            }

            var published = new List<long>(rows.Count);
            try
            {
                foreach (var row in rows)
                {
                    await invalidation.PublishAsync(row);
                    published.Add(row.Id);
                }
            }
            catch (Exception e) when (ChangeChannel.IsRedisFailure(e))
            {
                LogRetryFailed(logger, rows.Count - published.Count, e.Message);
            }

            if (published.Count > 0)
            {
                await db.Set<ProxyInvalidation>().Where(i => published.Contains(i.Id)).ExecuteDeleteAsync(cancellationToken);
            }

            await transaction.CommitAsync(cancellationToken);
            total += published.Count;
            if (published.Count < rows.Count || rows.Count < Batch)
            {
                return total;
            }
        }
    }

    public void Dispose() => _wake.Dispose();

    [LoggerMessage(LogLevel.Warning, "A key or application change was not published to the proxies; it is retried until it is: {Reason}")]
    private static partial void LogPublishFailed(ILogger logger, string reason);

    [LoggerMessage(LogLevel.Warning, "{Count} key or application changes are still waiting for Redis: {Reason}")]
    private static partial void LogRetryFailed(ILogger logger, int count, string reason);

    [LoggerMessage(LogLevel.Warning, "A published key or application change was not removed from the outbox (it is published again later): {Reason}")]
    private static partial void LogDeleteFailed(ILogger logger, string reason);
}
