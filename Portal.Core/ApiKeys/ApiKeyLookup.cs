using Microsoft.EntityFrameworkCore;
using Portal.Core.Applications;
using Portal.Core.Proxy;
using Portal.Core.Workspaces;

namespace Portal.Core.ApiKeys;

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

    /// <summary>
    /// The proxy's database lookup: the key with this SHA-256 whatever its state (so that a refusal can say why),
    /// and its application; null when no key has that hash.
    /// </summary>
    public async Task<(ProxyKey Key, ProxyApplication Application)?> FindForProxyAsync(byte[] hash, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await db.Set<ApiKey>().AsNoTracking()
            .Where(k => k.Hash == hash)
            .Select(k => new
            {
                k.Id,
                k.ApplicationId,
                k.Type,
                k.Scopes,
                k.DisplayPrefix,
                k.ExpiresAt,
                k.RevokedAt,
                k.Application!.WorkspaceId,
                k.Application.Status,
                k.Application.DeletedAt,
                k.Application.Region,
                k.Application.InternalUrl,
                k.Application.IpAllowlist,
                k.Application.Workspace!.Plan,
                WorkspaceDeletedAt = k.Application.Workspace.DeletedAt,
                WorkspaceStatus = k.Application.Workspace.Status,
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (found is null)
        {
            return null;
        }

        var key = new ProxyKey(found.Id, found.ApplicationId, found.Type, found.Scopes, found.DisplayPrefix, found.ExpiresAt, found.RevokedAt);
        var application = new ProxyApplication(
            found.ApplicationId, found.WorkspaceId, found.WorkspaceStatus == WorkspaceStatus.Active ? found.Status : ApplicationStatus.Suspended, found.DeletedAt is not null || found.WorkspaceDeletedAt is not null,
            found.Region, found.InternalUrl, found.Plan)
        {
            // Read from cidr[] into IPNetwork once per load; requests only compare.
            IpAllowlist = found.IpAllowlist,
        };
        return (key, application);
    }

    /// <summary>The proxy's view of one application (suspended while its workspace is not active), or null when there is none with that id.</summary>
    public async Task<ProxyApplication?> FindApplicationForProxyAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        return await db.Set<Application>().AsNoTracking()
            .Where(a => a.Id == applicationId)
            .Select(a => new ProxyApplication(
                a.Id, a.WorkspaceId, a.Workspace!.Status == WorkspaceStatus.Active ? a.Status : ApplicationStatus.Suspended, a.DeletedAt != null || a.Workspace!.DeletedAt != null, a.Region, a.InternalUrl, a.Workspace!.Plan)
            {
                IpAllowlist = a.IpAllowlist,
            })
            .SingleOrDefaultAsync(cancellationToken);
    }
}
