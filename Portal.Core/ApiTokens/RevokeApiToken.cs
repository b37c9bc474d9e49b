using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;

namespace Portal.Core.ApiTokens;

public sealed class RevokeApiToken(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock)
{
    /// <summary>Revokes one of the actor's own tokens; it stops working at the next request.</summary>
    public async Task<Outcome<ApiToken>> ExecuteAsync(Actor actor, string tokenId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var token = actor.UserId is null
            ? null
            : await db.Set<ApiToken>().SingleOrDefaultAsync(t => t.Id == tokenId && t.UserId == actor.UserId && t.RevokedAt == null, cancellationToken);
        if (token is null)
        {
            return Failure.NotFound("The token");
        }

        token.RevokedAt = clock.GetUtcNow();
        audit.Add(db, actor, "token.revoked", null, "token", token.Id, new AuditChanges().Field<DateTimeOffset?>("revokedAt", null, token.RevokedAt));
        await db.SaveChangesAsync(cancellationToken);
        return token;
    }
}
