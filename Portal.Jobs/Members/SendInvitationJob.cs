using Hangfire;
using Portal.Core.Members;

namespace Portal.Jobs.Members;

public sealed class SendInvitationJob(SendInvitation send)
{
    [Queue(JobQueues.Critical)]
    [AutomaticRetry(Attempts = 8)]
    public Task<bool> RunAsync(string invitationId, Uri portalUrl, CancellationToken cancellationToken) =>
        send.ExecuteAsync(invitationId, portalUrl, cancellationToken);
}
