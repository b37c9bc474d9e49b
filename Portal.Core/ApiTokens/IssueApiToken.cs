using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.Audit;

namespace Portal.Core.ApiTokens;

/// <summary>Makes control API tokens: a login session's (after the caller checked the credentials) or a personal one.</summary>
public sealed class IssueApiToken(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock, IOptions<ApiTokenOptions> options)
{
    /// <summary>A session token with every scope for <paramref name="user"/>, whose password (and code) the caller has checked.</summary>
    public async Task<CreatedApiToken> CreateSessionAsync(PortalUser user, ClientInfo client, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        // Each login leaves a row; the ones long expired go when the same user logs in again.
        await db.Set<ApiToken>()
            .Where(t => t.UserId == user.Id && t.Kind == ApiTokenKind.Session && t.ExpiresAt < now - TimeSpan.FromDays(1))
            .ExecuteDeleteAsync(cancellationToken);

        var created = New(user.Id, ApiTokenKind.Session, "API login", ApiScopes.All, user.SecurityStamp ?? "", now, now + options.Value.SessionLifetime);
        db.Add(created.Token);
        audit.Add(db, Actor.Token(user.Id, user.Email, created.Token.Id, client), "user.signed_in", null, "user", user.Id,
            new AuditChanges().Field<string?>("method", null, "api"));
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    /// <param name="lifetime">How long the token works; null for a token that does not expire.</param>
    public async Task<Outcome<CreatedApiToken>> CreatePersonalAsync(
        Actor actor, string? name, ApiScopes scopes, TimeSpan? lifetime, CancellationToken cancellationToken = default)
    {
        if (actor.UserId is not { } userId)
        {
            return Failure.Forbidden("Only a user can make a personal access token.");
        }

        if (ApiTokenRules.ValidateName(name) is { } invalid)
        {
            return invalid;
        }

        if (scopes == ApiScopes.None || (scopes & ~ApiScopes.All) != 0)
        {
            return Failure.Invalid("scopes", "Choose at least one scope: read, write or admin.");
        }

        if (lifetime is { } span && (span <= TimeSpan.Zero || span > TimeSpan.FromDays(366)))
        {
            return Failure.Invalid("expiresIn", "Choose an expiry of at most a year, or none.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var user = await db.Users.Where(u => u.Id == userId).Select(u => new { u.SecurityStamp }).SingleOrDefaultAsync(cancellationToken);
        if (user is null)
        {
            return Failure.NotFound("The account");
        }

        var active = await db.Set<ApiToken>().CountAsync(
            t => t.UserId == userId && t.Kind == ApiTokenKind.Personal && t.RevokedAt == null && (t.ExpiresAt == null || t.ExpiresAt > now), cancellationToken);
        if (active >= options.Value.MaxPersonalTokens)
        {
            return Failure.Conflict($"You already have {active} personal access tokens; revoke one you no longer use first.");
        }

        var created = New(userId, ApiTokenKind.Personal, name!.Trim(), scopes, user.SecurityStamp ?? "", now, now + lifetime);
        db.Add(created.Token);
        audit.Add(db, actor, "token.created", null, "token", created.Token.Id, new AuditChanges()
            .Field<string?>("name", null, created.Token.Name)
            .Field<string?>("scopes", null, ApiScopeNames.Format(scopes))
            .Field<DateTimeOffset?>("expiresAt", null, created.Token.ExpiresAt));
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    private static CreatedApiToken New(
        string userId, ApiTokenKind kind, string name, ApiScopes scopes, string securityStamp, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        var secret = ApiTokenRules.NewSecret(kind);
        var token = new ApiToken
        {
            UserId = userId,
            Kind = kind,
            Name = name,
            Scopes = scopes,
            TokenHash = ApiTokenRules.Hash(secret),
            Hint = ApiTokenRules.Hint(secret),
            SecurityStamp = securityStamp,
            CreatedAt = now,
            ExpiresAt = expiresAt,
        };
        return new CreatedApiToken(token, secret);
    }
}
