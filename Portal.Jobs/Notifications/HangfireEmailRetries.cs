using Hangfire;
using Portal.Core.Notifications;

namespace Portal.Jobs.Notifications;

internal sealed class HangfireEmailRetries(IBackgroundJobClient jobs) : IEmailRetries
{
    public void Enqueue(string protectedMessage) =>
        jobs.Enqueue<DeliverEmailJob>(job => job.RunAsync(protectedMessage, CancellationToken.None));
}
