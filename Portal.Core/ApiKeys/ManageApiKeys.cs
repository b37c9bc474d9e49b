using Microsoft.EntityFrameworkCore;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Proxy;
using Portal.Core.Webhooks;
using Portal.Core.Workspaces;

namespace Portal.Core.ApiKeys;

/// <summary>Creating, revoking and rotating an application's keys.</summary>
public sealed class ManageApiKeys(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock, PlatformEvents events, ProxyInvalidationOutbox proxies)
{
    public static readonly TimeSpan DefaultRotationOverlap = TimeSpan.FromHours(24);

    public async Task<Outcome<CreatedApiKey>> CreateAsync(
        Actor actor, string applicationId, string? name, ApiKeyType? type, IReadOnlyList<string>? scopes, DateTimeOffset? expiresAt,
        CancellationToken cancellationToken = default)
    {
        name = name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > 100)
        {
            return Failure.Invalid("name", "Name the key (1 to 100 characters).");
        }

        if (TextRules.Validate(name, "name") is { } badName)
        {
            return badName;
        }

        if (type is not { } keyType || !Enum.IsDefined(keyType))
        {
            return Failure.Invalid("type", "Choose the key's type: public or secret.");
        }

        var granted = keyType == ApiKeyType.Public ? [] : scopes?.Distinct(StringComparer.Ordinal).ToList() ?? [ApiKeyScopes.All];
        if (ApiKeyScopes.FirstUnknown(granted) is { } unknown)
        {
            return Failure.Invalid("scopes", $"Unknown scope '{unknown}'. Known scopes: {string.Join(", ", ApiKeyScopes.Known)}, or *.");
        }

        if (keyType == ApiKeyType.Secret && granted.Count == 0)
        {
            return Failure.Invalid("scopes", "Give a secret key at least one scope, or * for all.");
        }

        if (expiresAt <= clock.GetUtcNow())
        {
            return Failure.Invalid("expiresAt", "The expiry must be in the future.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await ApplicationAccess.RequireAsync(db, actor.UserId, applicationId, WorkspacePermission.ManageApplications, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var created = Add(db, found.Value, actor, name, keyType, granted, expiresAt);
        audit.Add(db, actor, "key.created", found.Value.WorkspaceId, "api_key", created.Key.Id, new AuditChanges()
            .Field<string?>("name", null, name)
            .Field<ApiKeyType?>("type", null, keyType)
            .Field<string?>("scopes", null, string.Join(" ", granted))
            .Field("expiresAt", null, expiresAt));
        events.Add(db, applicationId, PlatformEventTypes.KeyCreated, EventData(created.Key));
        await db.SaveChangesAsync(cancellationToken);
        return created;
    }

    /// <summary>Stops a key at once.</summary>
    public async Task<Outcome<ApiKey>> RevokeAsync(Actor actor, string applicationId, string keyId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindAsync(db, actor, applicationId, keyId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var key = found.Value;
        key.RevokedAt = clock.GetUtcNow();
        audit.Add(db, actor, "key.revoked", key.Application!.WorkspaceId, "api_key", key.Id,
            new AuditChanges().Field<DateTimeOffset?>("revokedAt", null, key.RevokedAt));
        events.Add(db, applicationId, PlatformEventTypes.KeyRevoked, EventData(key));
        // Saved with the revocation: the proxies hear of it even if the publish below fails or the process dies.
        var invalidation = proxies.Key(db, key.Hash);
        await db.SaveChangesAsync(cancellationToken);
        await proxies.PublishAsync(invalidation);
        return key;
    }

    /// <summary>
    /// Replaces a secret key with a new one of the same name and scopes; the old one keeps working until
    /// <paramref name="oldKeyExpiresAt"/> (24 hours by default), so deployments can switch without downtime.
    /// </summary>
    public async Task<Outcome<CreatedApiKey>> RotateAsync(
        Actor actor, string applicationId, string keyId, DateTimeOffset? oldKeyExpiresAt = null, CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var overlapEnd = oldKeyExpiresAt ?? now + DefaultRotationOverlap;
        if (overlapEnd < now || overlapEnd > now + TimeSpan.FromDays(30))
        {
            return Failure.Invalid("oldKeyExpiresAt", "The old key may keep working from now up to 30 days.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindAsync(db, actor, applicationId, keyId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var old = found.Value;
        if (old.Type != ApiKeyType.Secret)
        {
            return Failure.Invalid("keyId", "Only secret keys are rotated; revoke a public key and create another.");
        }

        var created = Add(db, old.Application!, actor, old.Name, old.Type, old.Scopes, old.ExpiresAt);
        created.Key.ReplacesKeyId = old.Id;
        var previousExpiry = old.ExpiresAt;
        old.ExpiresAt = previousExpiry is { } expiry && expiry < overlapEnd ? expiry : overlapEnd;
        audit.Add(db, actor, "key.rotated", old.Application!.WorkspaceId, "api_key", old.Id, new AuditChanges()
            .Field("expiresAt", previousExpiry, old.ExpiresAt)
            .Field<string?>("replacedBy", null, created.Key.Id));
        events.Add(db, applicationId, PlatformEventTypes.KeyRotated, new { key = EventData(old), replacedBy = EventData(created.Key) });
        // The old key's new expiry reaches the proxies (past it, they refuse the key by their own clock).
        var invalidation = proxies.Key(db, old.Hash);
        await db.SaveChangesAsync(cancellationToken);
        await proxies.PublishAsync(invalidation);
        return created;
    }

    private async Task<Outcome<ApiKey>> FindAsync(PortalDbContext db, Actor actor, string applicationId, string keyId, CancellationToken cancellationToken)
    {
        var found = await ApplicationAccess.RequireAsync(db, actor.UserId, applicationId, WorkspacePermission.ManageApplications, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var now = clock.GetUtcNow();
        var key = await db.Set<ApiKey>().Include(k => k.Application)
            .SingleOrDefaultAsync(k => k.Id == keyId && k.ApplicationId == applicationId && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now), cancellationToken);
        return key is null ? Failure.NotFound("The key") : key;
    }

    /// <summary>A key as webhook events describe it: never its value or hash.</summary>
    private static object EventData(ApiKey key) => new
    {
        id = key.Id,
        applicationId = key.ApplicationId,
        name = key.Name,
        type = key.Type,
        display = key.PublicValue ?? key.DisplayPrefix,
        scopes = key.Scopes,
        createdAt = key.CreatedAt,
        expiresAt = key.ExpiresAt,
        revokedAt = key.RevokedAt,
    };

    /// <summary>Adds a new key to <paramref name="db"/> without saving, for callers that create it with other changes.</summary>
    internal CreatedApiKey Add(
        PortalDbContext db, Application application, Actor actor, string name, ApiKeyType type, IReadOnlyList<string> scopes, DateTimeOffset? expiresAt)
    {
        var value = ApiKeyFormat.New(type, application.Environment);
        var key = new ApiKey
        {
            ApplicationId = application.Id,
            Name = name,
            Type = type,
            DisplayPrefix = ApiKeyFormat.Display(value),
            Hash = ApiKeyFormat.Hash(value),
            PublicValue = type == ApiKeyType.Public ? value : null,
            Scopes = [.. scopes],
            CreatedAt = clock.GetUtcNow(),
            CreatedByUserId = actor.UserId,
            ExpiresAt = expiresAt,
        };
        db.Add(key);
        return new CreatedApiKey(key, value);
    }
}
