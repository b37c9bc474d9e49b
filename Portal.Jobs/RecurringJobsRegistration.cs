using Hangfire;
using Microsoft.Extensions.Hosting;
using Portal.Jobs.Accounts;
using Portal.Jobs.ApiTokens;
using Portal.Jobs.Audit;
using Portal.Jobs.Provisioning;
using Portal.Jobs.Usage;
using Portal.Jobs.Webhooks;
using Portal.Jobs.Workspaces;

namespace Portal.Jobs;

/// <summary>Declares the recurring schedules when a worker starts (idempotent: Hangfire updates them in place).</summary>
internal sealed class RecurringJobsRegistration(IRecurringJobManager recurringJobs) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        recurringJobs.AddOrUpdate<PurgeUnconfirmedAccountsJob>(
            PurgeUnconfirmedAccountsJob.RecurringId, JobQueues.Low, job => job.RunAsync(CancellationToken.None), Cron.Daily(3));
        recurringJobs.AddOrUpdate<PurgeDeletedWorkspacesJob>(
            PurgeDeletedWorkspacesJob.RecurringId, JobQueues.Low, job => job.RunAsync(CancellationToken.None), Cron.Daily(4));
        recurringJobs.AddOrUpdate<PurgeExpiredAuditEventsJob>(
            PurgeExpiredAuditEventsJob.RecurringId, JobQueues.Low, job => job.RunAsync(CancellationToken.None), Cron.Daily(5));
        recurringJobs.AddOrUpdate<PurgeExpiredApiTokensJob>(
            PurgeExpiredApiTokensJob.RecurringId, JobQueues.Low, job => job.RunAsync(CancellationToken.None), Cron.Hourly(17));
        recurringJobs.AddOrUpdate<TeardownDeletedApplicationsJob>(
            TeardownDeletedApplicationsJob.RecurringId, JobQueues.Low, job => job.RunAsync(CancellationToken.None), Cron.Hourly(41));
        recurringJobs.AddOrUpdate<SweepWebhookDeliveriesJob>(
            SweepWebhookDeliveriesJob.RecurringId, JobQueues.Default, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        recurringJobs.AddOrUpdate<ReconcileDriftJob>(
            ReconcileDriftJob.RecurringId, JobQueues.Default, job => job.RunAsync(CancellationToken.None), ReconcileDriftJob.Schedule);
        recurringJobs.AddOrUpdate<RollupUsageJob>(
            RollupUsageJob.RecurringId, JobQueues.Default, job => job.RunAsync(CancellationToken.None), Cron.Minutely());
        recurringJobs.AddOrUpdate<RecordTenantStorageJob>(
            RecordTenantStorageJob.RecurringId, JobQueues.Low, job => job.RunAsync(CancellationToken.None), Cron.Hourly(23));
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
