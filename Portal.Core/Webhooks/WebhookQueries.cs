using Microsoft.EntityFrameworkCore;
using Portal.Core.Applications;
using Portal.Core.Workspaces;

namespace Portal.Core.Webhooks;

public sealed class WebhookQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    public async Task<Outcome<IReadOnlyList<WebhookEndpointView>>> ListAsync(string? userId, string applicationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, userId, applicationId, WorkspacePermission.View, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var endpoints = await db.Set<WebhookEndpoint>().AsNoTracking()
            .Where(e => e.ApplicationId == applicationId)
            .OrderBy(e => e.CreatedAt).ThenBy(e => e.Id)
            .ToListAsync(cancellationToken);
        return endpoints.Select(WebhookEndpointView.From).ToList();
    }

    public async Task<Outcome<WebhookEndpointView>> GetAsync(string? userId, string applicationId, string endpointId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, userId, applicationId, WorkspacePermission.View, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var endpoint = await db.Set<WebhookEndpoint>().AsNoTracking()
            .SingleOrDefaultAsync(e => e.Id == endpointId && e.ApplicationId == applicationId, cancellationToken);
        return endpoint is null ? Failure.NotFound("The webhook endpoint") : WebhookEndpointView.From(endpoint);
    }

    /// <summary>An endpoint's deliveries, newest first, each with its attempts.</summary>
    public async Task<Outcome<Page<WebhookDeliveryView>>> ListDeliveriesAsync(
        string? userId, string applicationId, string endpointId, int page, int pageSize, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, userId, applicationId, WorkspacePermission.View, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        if (!await db.Set<WebhookEndpoint>().AnyAsync(e => e.Id == endpointId && e.ApplicationId == applicationId, cancellationToken))
        {
            return Failure.NotFound("The webhook endpoint");
        }

        pageSize = Math.Clamp(pageSize, 1, Page<object>.MaxPageSize);
        page = Math.Max(page, 1);
        var deliveries = db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.EndpointId == endpointId);
        var total = await deliveries.CountAsync(cancellationToken);
        var rows = await deliveries.Include(d => d.Attempts)
            .OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .AsSplitQuery()
            .ToListAsync(cancellationToken);
        return new Page<WebhookDeliveryView>([.. rows.Select(WebhookDeliveryView.From)], total, page, pageSize);
    }
}
