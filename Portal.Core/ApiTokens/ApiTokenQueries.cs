using Microsoft.EntityFrameworkCore;

namespace Portal.Core.ApiTokens;

public sealed class ApiTokenQueries(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The user's personal tokens that still work, newest first.</summary>
    public async Task<IReadOnlyList<ApiTokenView>> ListPersonalAsync(string userId, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<ApiToken>()
            .Where(t => t.UserId == userId && t.Kind == ApiTokenKind.Personal && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id)
            .Select(t => new ApiTokenView(t.Id, t.Name, t.Hint, t.Scopes, t.CreatedAt, t.ExpiresAt, t.LastUsedAt))
            .ToListAsync(cancellationToken);
    }
}
