using Microsoft.EntityFrameworkCore;
using Portal.Core.Applications;

namespace Portal.Core.ApiKeys;

/// <summary>A usable key found by its value: the key, and the application it opens.</summary>
public sealed record UsableApiKey(string KeyId, string ApplicationId, ApiKeyType Type, IReadOnlyList<string> Scopes);

/// <summary>
/// Finds the key a request presents (the proxy's check). A key works only while it is neither revoked nor expired
/// and its application is in service: a <c>deleting</c>, <c>suspended</c> or <c>deleted</c> application's keys stop
/// working at once.
/// </summary>
public sealed class ApiKeyLookup(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock)
{
    /// <summary>The statuses whose keys work (an instance being provisioned or rolled is still the application's).</summary>
    public static readonly IReadOnlySet<ApplicationStatus> InService = new HashSet<ApplicationStatus>
    {
        ApplicationStatus.Provisioning, ApplicationStatus.Active, ApplicationStatus.Restarting, ApplicationStatus.Failed,
    };

    public async Task<UsableApiKey?> FindAsync(string? value, CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 200)
        {
            return null;
        }

        var hash = ApiKeyFormat.Hash(value);
        var now = clock.GetUtcNow();
        var inService = InService.ToList();
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var key = await db.Set<ApiKey>().AsNoTracking()
            .Where(k => k.Hash == hash && k.RevokedAt == null && (k.ExpiresAt == null || k.ExpiresAt > now))
            .Where(k => inService.Contains(k.Application!.Status) && k.Application.DeletedAt == null)
            .Select(k => new { k.Id, k.ApplicationId, k.Type, k.Scopes })
            .SingleOrDefaultAsync(cancellationToken);
        return key is null ? null : new UsableApiKey(key.Id, key.ApplicationId, key.Type, key.Scopes);
    }
}
