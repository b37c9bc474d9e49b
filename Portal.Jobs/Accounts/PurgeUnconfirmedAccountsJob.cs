using Hangfire;
using Portal.Core.Accounts;

namespace Portal.Jobs.Accounts;

public sealed class PurgeUnconfirmedAccountsJob(PurgeUnconfirmedAccounts purge)
{
    public const string RecurringId = "accounts:purge-unconfirmed";

    [Queue(JobQueues.Low)]
    [AutomaticRetry(Attempts = 3)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => purge.ExecuteAsync(cancellationToken);
}
