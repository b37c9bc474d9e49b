using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.RateLimiting;

namespace Portal.Core.ApiTokens;

/// <summary>
/// Finds who a bearer token acts for, in one query by the hash's unique index. A token is refused when it is unknown,
/// revoked or expired, when its user is suspended, or when the user's security stamp changed since it was issued
/// (password change or reset, two-factor change, suspension). A lockout is not checked: it stops password sign-in
/// only, so that wrong passwords typed by anyone who knows an email cannot stop the user's automation.
/// Unknown tokens are limited per client address before they reach the database (<see cref="ApiTokenFloodGuard"/>).
/// </summary>
public sealed class AuthenticateApiToken(
    IDbContextFactory<PortalDbContext> dbFactory, ApiTokenFloodGuard guard, TimeProvider clock, IOptions<ApiTokenOptions> options)
{
    /// <summary>The token's identity (null: refused), or, without a lookup, how long <paramref name="client"/> must wait.</summary>
    public async Task<(ApiTokenIdentity? Identity, LookupAdmission? Throttled)> ExecuteAsync(string? token, IPAddress? client, CancellationToken cancellationToken = default)
    {
        if (!ApiTokenRules.LooksLikeToken(token))
        {
            return (null, null);
        }

        if (await guard.AdmitAsync(token!, client) is { } throttled)
        {
            return (null, throttled);
        }

        var identity = await LookUpAsync(token!, cancellationToken);
        if (identity is not null)
        {
            guard.Found(token!, client);
        }

        return (identity, null);
    }

    private async Task<ApiTokenIdentity?> LookUpAsync(string token, CancellationToken cancellationToken)
    {
        var hash = ApiTokenRules.Hash(token);
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.Set<ApiToken>()
            .Where(t => t.TokenHash == hash && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now))
            .Join(db.Users, t => t.UserId, u => u.Id, (t, u) => new
            {
                t.Id,
                t.Kind,
                t.Name,
                t.Scopes,
                t.UserId,
                u.Email,
                t.SecurityStamp,
                t.ExpiresAt,
                t.LastUsedAt,
                UserStamp = u.SecurityStamp,
                u.SuspendedAt,
            })
            .AsNoTracking()
            .FirstOrDefaultAsync(cancellationToken);
        if (found is null || found.UserStamp != found.SecurityStamp || found.SuspendedAt != null)
        {
            return null;
        }

        var precision = options.Value.LastUsedPrecision;
        if (found.LastUsedAt is null || found.LastUsedAt <= now - precision)
        {
            // Conditional, so that concurrent requests write once per period at most.
            var stale = now - precision;
            await db.Set<ApiToken>()
                .Where(t => t.Id == found.Id && (t.LastUsedAt == null || t.LastUsedAt <= stale))
                .ExecuteUpdateAsync(set => set.SetProperty(t => t.LastUsedAt, now), cancellationToken);
        }

        return new ApiTokenIdentity(found.Id, found.Kind, found.Name, found.Scopes, found.UserId, found.Email, found.SecurityStamp, found.ExpiresAt);
    }
}
