using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Accounts;

/// <summary>Deletes accounts that never confirmed their email, so an abandoned sign-up does not hold the address.</summary>
public sealed partial class PurgeUnconfirmedAccounts(
    PortalDbContext db,
    TimeProvider clock,
    IOptions<AccountOptions> options,
    ILogger<PurgeUnconfirmedAccounts> logger)
{
    public async Task<int> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = clock.GetUtcNow() - options.Value.UnconfirmedAccountLifetime;
        var deleted = await db.Users
            .Where(u => !u.EmailConfirmed && u.CreatedAt < cutoff)
            .ExecuteDeleteAsync(cancellationToken);
        LogPurged(logger, deleted, cutoff);
        return deleted;
    }

    [LoggerMessage(LogLevel.Information, "Deleted {Count} accounts left unconfirmed since before {Cutoff}")]
    private static partial void LogPurged(ILogger logger, int count, DateTimeOffset cutoff);
}
