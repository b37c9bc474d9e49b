using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Portal.Core.ApiTokens;

/// <summary>
/// Deletes tokens that can never work again: login tokens a day after they expired, personal tokens 30 days after
/// they expired or were revoked (their creation and revocation stay in the audit log).
/// </summary>
public sealed partial class PurgeExpiredApiTokens(IDbContextFactory<PortalDbContext> dbFactory, TimeProvider clock, ILogger<PurgeExpiredApiTokens> logger)
{
    public async Task<int> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        var now = clock.GetUtcNow();
        var sessionCutoff = now - TimeSpan.FromDays(1);
        var personalCutoff = now - TimeSpan.FromDays(30);
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var deleted = await db.Set<ApiToken>()
            .Where(t => t.Kind == ApiTokenKind.Session
                ? t.ExpiresAt < sessionCutoff
                : t.ExpiresAt < personalCutoff || t.RevokedAt < personalCutoff)
            .ExecuteDeleteAsync(cancellationToken);
        LogPurged(logger, deleted);
        return deleted;
    }

    [LoggerMessage(LogLevel.Information, "Deleted {Count} API tokens that expired or were revoked")]
    private static partial void LogPurged(ILogger logger, int count);
}
