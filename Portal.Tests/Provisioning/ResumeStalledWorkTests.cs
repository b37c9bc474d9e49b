using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core;
using Portal.Core.Applications;
using Portal.Core.Provisioning;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Provisioning;

/// <summary>Applications left provisioning or restarting with no job (a lost enqueue) are queued again by the drift job, once their lock is free.</summary>
public sealed class ResumeStalledWorkTests(TestServers servers) : PortalTest(servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class RecordingQueue : IProvisioningQueue, IInstanceRollQueue
    {
        public List<string> Provisioned { get; } = [];

        public List<string> Rolled { get; } = [];

        public void Enqueue(string applicationId) => Provisioned.Add(applicationId);

        public void EnqueueRoll(string applicationId) => Rolled.Add(applicationId);
    }

    private async Task<Application> ApplicationAsync(Workspace workspace, ApplicationStatus status, TimeSpan age)
    {
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "App",
            Slug = $"app-{Guid.NewGuid():N}"[..20],
            Region = "us-east-1",
            Status = status,
            CreatedAt = App.Clock.GetUtcNow() - age,
        };
        await using var db = App.CreateDbContext();
        db.Add(application);
        await db.SaveChangesAsync(Ct);
        return application;
    }

    [Fact]
    public async Task StalledApplications_AreQueuedAgain_ButNotFreshOnes_BusyOnes_OrOnesWithARecentStep()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var lost = await ApplicationAsync(workspace, ApplicationStatus.Provisioning, TimeSpan.FromMinutes(30));
        var lostRoll = await ApplicationAsync(workspace, ApplicationStatus.Restarting, TimeSpan.FromMinutes(30));
        var fresh = await ApplicationAsync(workspace, ApplicationStatus.Provisioning, TimeSpan.FromMinutes(1));
        var active = await ApplicationAsync(workspace, ApplicationStatus.Active, TimeSpan.FromMinutes(30));
        var busy = await ApplicationAsync(workspace, ApplicationStatus.Provisioning, TimeSpan.FromMinutes(30));
        var working = await ApplicationAsync(workspace, ApplicationStatus.Provisioning, TimeSpan.FromMinutes(30));
        await using (var db = App.CreateDbContext())
        {
            var run = new ProvisioningRun { ApplicationId = working.Id, Status = ProvisioningRunStatus.Running, CreatedAt = App.Clock.GetUtcNow() };
            run.Steps.Add(new ProvisioningStep
            {
                RunId = run.Id,
                Name = ProvisioningSteps.Credentials,
                Status = ProvisioningStepStatus.Running,
                StartedAt = App.Clock.GetUtcNow().AddSeconds(-10),
            });
            db.Add(run);
            await db.SaveChangesAsync(Ct);
        }

        var dataSource = App.Services.GetRequiredService<NpgsqlDataSource>();
        var queue = new RecordingQueue();
        var resume = new ResumeStalledWork(App.Services.GetRequiredService<IDbContextFactory<PortalDbContext>>(), dataSource, queue, queue, App.Clock,
            App.Services.GetRequiredService<IOptions<ProvisioningOptions>>(), NullLogger<ResumeStalledWork>.Instance);

        await using (await ApplicationLock.TryAcquireAsync(dataSource, busy.Id, Ct))
        {
            var queued = await resume.ExecuteAsync(Ct);
            Assert.Equal(new[] { lost.Id, lostRoll.Id }.Order(), queued.Order());
        }

        Assert.Equal([lost.Id], queue.Provisioned);
        Assert.Equal([lostRoll.Id], queue.Rolled);
        Assert.DoesNotContain(fresh.Id, queue.Provisioned);
        Assert.DoesNotContain(active.Id, queue.Provisioned);

        // Once its lock is free, the busy one is stalled too.
        Assert.Contains(busy.Id, await resume.ExecuteAsync(Ct));
    }
}
