using Hangfire;
using Portal.Core.Workspaces;

namespace Portal.Jobs.Workspaces;

public sealed class PurgeDeletedWorkspacesJob(PurgeDeletedWorkspaces purge)
{
    public const string RecurringId = "workspaces:purge-deleted";

    [Queue(JobQueues.Low)]
    [AutomaticRetry(Attempts = 3)]
    public Task<int> RunAsync(CancellationToken cancellationToken) => purge.ExecuteAsync(cancellationToken);
}
