using Microsoft.EntityFrameworkCore;
using Portal.Core.Applications;
using Portal.Core.Workspaces;

namespace Portal.Core.ApiKeys;

public sealed class ApiKeyQueries(IDbContextFactory<PortalDbContext> dbFactory)
{
    /// <summary>The application's keys, newest first: secret keys masked, public keys in full.</summary>
    public async Task<Outcome<IReadOnlyList<ApiKeyView>>> ListAsync(string? userId, string applicationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, userId, applicationId, WorkspacePermission.View, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var keys = await db.Set<ApiKey>().AsNoTracking()
            .Where(k => k.ApplicationId == applicationId)
            .OrderByDescending(k => k.CreatedAt).ThenBy(k => k.Id)
            .Select(k => new ApiKeyView(k.Id, k.Name, k.Type, k.PublicValue ?? k.DisplayPrefix, k.Scopes, k.CreatedAt, k.ExpiresAt, k.RevokedAt, k.LastUsedAt))
            .ToListAsync(cancellationToken);
        return keys;
    }
}
