using Hangfire;
using Hangfire.States;
using Hangfire.Storage;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Accounts;
using Portal.Jobs.Accounts;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Hosting;

public sealed class JobExecutionTests(TestServers servers) : PortalTest(servers)
{
    protected override Dictionary<string, string?> Settings => new() { ["Portal:Roles:1"] = "worker" };

    [Fact]
    public async Task EnqueuedJob_RunsOnTheWorker_AgainstPostgreSqlStorage()
    {
        _ = App.Services;
        var now = App.Clock.GetUtcNow();
        var stale = new PortalUser { UserName = "stale@example.com", Email = "stale@example.com", NormalizedEmail = "STALE@EXAMPLE.COM", NormalizedUserName = "STALE@EXAMPLE.COM", CreatedAt = now.AddDays(-8) };
        var fresh = new PortalUser { UserName = "fresh@example.com", Email = "fresh@example.com", NormalizedEmail = "FRESH@EXAMPLE.COM", NormalizedUserName = "FRESH@EXAMPLE.COM", CreatedAt = now.AddDays(-1) };
        var confirmed = new PortalUser { UserName = "old@example.com", Email = "old@example.com", EmailConfirmed = true, CreatedAt = now.AddDays(-100) };
        await using (var db = App.CreateDbContext())
        {
            db.Users.AddRange(stale, fresh, confirmed);
            await db.SaveChangesAsync(TestContext.Current.CancellationToken);
        }

        // A second worker host in the same process, started last: Hangfire's statics now point at it, and this
        // host's worker must still watch its own storage and build its jobs from its own services.
        await using var otherHost = await PortalApp.CreateAsync(Servers, Settings);
        _ = otherHost.Services;

        var jobId = App.Services.GetRequiredService<IBackgroundJobClient>()
            .Enqueue<PurgeUnconfirmedAccountsJob>(job => job.RunAsync(CancellationToken.None));

        using var connection = App.Services.GetRequiredService<JobStorage>().GetConnection();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        string? state;
        do
        {
            await Task.Delay(100, TestContext.Current.CancellationToken);
            state = connection.GetJobData(jobId)?.State;
        }
        while (state != SucceededState.StateName && state != FailedState.StateName && DateTime.UtcNow < deadline);

        var history = App.Services.GetRequiredService<JobStorage>().GetMonitoringApi().JobDetails(jobId).History;
        Assert.True(state == SucceededState.StateName,
            string.Join("\n", history.Select(h => $"{h.StateName}: {h.Reason} {string.Join("; ", h.Data.Select(d => $"{d.Key}={d.Value}"))}")));
        await using var check = App.CreateDbContext();
        var left = await check.Users.Select(u => u.Email).ToListAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["fresh@example.com", "old@example.com"], left.Order());
    }

    [Fact]
    public void Worker_DeclaresTheRecurringPurge()
    {
        using var connection = App.Services.GetRequiredService<JobStorage>().GetConnection();

        var recurring = connection.GetRecurringJobs();

        Assert.Contains(recurring, j => j.Id == PurgeUnconfirmedAccountsJob.RecurringId && j.Job.Queue == "low");
        Assert.Contains(recurring, j => j.Id == Portal.Jobs.Provisioning.ReconcileDriftJob.RecurringId && j.Cron == "*/5 * * * *");
    }
}
