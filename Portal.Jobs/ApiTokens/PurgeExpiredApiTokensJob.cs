using Hangfire;
using Portal.Core.ApiTokens;

namespace Portal.Jobs.ApiTokens;

public sealed class PurgeExpiredApiTokensJob(PurgeExpiredApiTokens purge)
{
    public const string RecurringId = "api-tokens:purge-expired";

    [Queue(JobQueues.Low)]
    [AutomaticRetry(Attempts = 3)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => purge.ExecuteAsync(cancellationToken);
}
