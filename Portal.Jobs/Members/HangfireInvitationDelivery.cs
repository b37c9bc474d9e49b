using Hangfire;
using Portal.Core.Members;

namespace Portal.Jobs.Members;

internal sealed class HangfireInvitationDelivery(IBackgroundJobClient jobs) : IInvitationDelivery
{
    public void Schedule(string invitationId, Uri portalUrl) =>
        jobs.Enqueue<SendInvitationJob>(job => job.RunAsync(invitationId, portalUrl, CancellationToken.None));
}
