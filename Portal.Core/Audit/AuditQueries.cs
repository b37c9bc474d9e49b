using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Workspaces;

namespace Portal.Core.Audit;

/// <summary>Reads of the audit log: a workspace's events for the members who may view it, and an account's own events.</summary>
public sealed class AuditQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>How many of an account's events its security page shows.</summary>
    public const int AccountEventsShown = 50;

    /// <summary>One page of a workspace's events, newest first, with the total that match.</summary>
    public async Task<Outcome<Page<AuditEvent>>> ListAsync(
        string? userId, string workspaceId, AuditFilter filter, int page = 1, int pageSize = 50, CancellationToken cancellationToken = default)
    {
        if (ValidatePage(page, pageSize) is { } invalid)
        {
            return invalid;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, userId, workspaceId, WorkspacePermission.View, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var events = Of(db, workspaceId, filter);
        var total = await events.CountAsync(cancellationToken);
        var data = await events.OrderByDescending(e => e.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .ToListAsync(cancellationToken);
        return new Page<AuditEvent>(data, total, page, pageSize);
    }

    /// <summary>
    /// The next <paramref name="limit"/> events older than <paramref name="beforeId"/> (the newest when null): a keyset
    /// page, which stays as fast deep in a long log as on its first page and never counts.
    /// </summary>
    public async Task<Outcome<AuditEvent[]>> ListBeforeAsync(
        string? userId, string workspaceId, AuditFilter filter, long? beforeId, int limit = 50, CancellationToken cancellationToken = default)
    {
        if (ValidatePage(1, limit) is { } invalid)
        {
            return invalid;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, userId, workspaceId, WorkspacePermission.View, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var events = Of(db, workspaceId, filter);
        if (beforeId is { } before)
        {
            events = events.Where(e => e.Id < before);
        }

        return await events.OrderByDescending(e => e.Id).Take(limit).ToArrayAsync(cancellationToken);
    }

    /// <summary>Whether the user may read the workspace's log: null when allowed, else why not.</summary>
    public async Task<Failure?> CheckAccessAsync(string? userId, string workspaceId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, userId, workspaceId, WorkspacePermission.View, cancellationToken);
        return access.Failure;
    }

    /// <summary>
    /// Every matching event of the workspace, newest first, read row by row from one query as the caller consumes them
    /// (nothing is buffered or tracked), for exports of any size. Call <see cref="CheckAccessAsync"/> first to answer a
    /// refusal properly; this checks again and throws, so that no caller can read a log it may not see.
    /// </summary>
    public async IAsyncEnumerable<AuditEvent> StreamAsync(
        string? userId, string workspaceId, AuditFilter filter, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, userId, workspaceId, WorkspacePermission.View, cancellationToken);
        if (!access.Succeeded)
        {
            throw new UnauthorizedAccessException(access.Failure.Message);
        }

        var rows = Of(db, workspaceId, filter).OrderByDescending(e => e.Id).AsAsyncEnumerable();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            yield return row;
        }
    }

    /// <summary>The latest events about one account (its sign-ins, security changes, suspensions), newest first.</summary>
    public async Task<IReadOnlyList<AuditEvent>> ForAccountAsync(string userId, int count = AccountEventsShown, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<AuditEvent>().AsNoTracking()
            .Where(e => e.WorkspaceId == null && e.TargetType == AuditTargets.User && e.TargetId == userId)
            .OrderByDescending(e => e.Id)
            .Take(count)
            .ToListAsync(cancellationToken);
    }

    private static IQueryable<AuditEvent> Of(PortalDbContext db, string workspaceId, AuditFilter filter) =>
        filter.Apply(db.Set<AuditEvent>().AsNoTracking().Where(e => e.WorkspaceId == workspaceId));

    private static Failure? ValidatePage(int page, int pageSize) =>
        page < 1 ? Failure.Invalid("page", "The page number starts at 1.")
        : pageSize is < 1 or > Page<AuditEvent>.MaxPageSize ? Failure.Invalid("pageSize", $"The page size is between 1 and {Page<AuditEvent>.MaxPageSize}.")
        : null;
}
