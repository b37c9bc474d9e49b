using Microsoft.Extensions.DependencyInjection;
using Portal.Core;
using Portal.Core.Accounts;
using Portal.Core.Applications;
using Portal.Core.Provisioning;
using Portal.Core.Workspaces;
using Portal.Tests.Infrastructure;

namespace Portal.Tests.Applications;

/// <summary>The progress of an application's provisioning and its estimated time left, drawn from the region's recent runs in PostgreSQL.</summary>
public sealed class ProvisioningProgressQueriesTests(TestServers servers) : PortalTest(servers)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private DateTimeOffset Now => App.Clock.GetUtcNow();

    private async Task<(PortalUser Owner, Workspace Workspace)> WorkspaceAsync()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        return (owner, await WorkspaceSteps.CreateWorkspaceAsync(App, owner));
    }

    private async Task<Application> ApplicationAsync(Workspace workspace, string region)
    {
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "App",
            Slug = $"app-{Guid.NewGuid():N}"[..20],
            Region = region,
            CreatedAt = Now,
        };
        await using var db = App.CreateDbContext();
        db.Add(application);
        await db.SaveChangesAsync(Ct);
        return application;
    }

    /// <summary>A run of every step; <paramref name="state"/> decides each step's status and the seconds its last attempt took (null: not started).</summary>
    private async Task<ProvisioningRun> RunAsync(Application application, ProvisioningRunStatus status, DateTimeOffset finishedAt,
        Func<string, (ProvisioningStepStatus Status, double? Seconds)> state)
    {
        var run = new ProvisioningRun { ApplicationId = application.Id, Status = status, CreatedAt = finishedAt.AddMinutes(-1), StartedAt = finishedAt.AddMinutes(-1) };
        var order = 0;
        foreach (var name in ProvisioningSteps.All)
        {
            var (stepStatus, seconds) = state(name);
            run.Steps.Add(new ProvisioningStep
            {
                RunId = run.Id,
                Name = name,
                Order = order++,
                Status = stepStatus,
                Attempts = seconds is null ? 0 : 1,
                StartedAt = seconds is { } s ? finishedAt.AddSeconds(-s) : null,
                FinishedAt = seconds is not null && stepStatus is ProvisioningStepStatus.Succeeded or ProvisioningStepStatus.Failed ? finishedAt : null,
                Error = stepStatus == ProvisioningStepStatus.Failed ? "Kubernetes answered 500: boom" : null,
            });
        }

        await using var db = App.CreateDbContext();
        db.Add(run);
        await db.SaveChangesAsync(Ct);
        return run;
    }

    private Task<IReadOnlyDictionary<string, TimeSpan>> TypicalAsync(string region) =>
        WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ProvisioningProgressQueries>().TypicalDurationsAsync(region, Ct));

    private Task<Outcome<ProvisioningProgress>> ProgressAsync(PortalUser user, Application application) =>
        WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ProvisioningProgressQueries>().GetAsync(user.Id, application.Id, Ct));

    [Fact]
    public async Task TypicalDuration_IsTheMedianOfTheRegionsLastFiftySuccessfulSteps_OrTheDefault()
    {
        var (_, workspace) = await WorkspaceAsync();
        var here = await ApplicationAsync(workspace, "here");
        var elsewhere = await ApplicationAsync(workspace, "elsewhere");
        // 60 runs in this region: the 10 oldest took 100 s to roll out, the 50 newest 4, 5 or 6 s (median 5).
        for (var i = 0; i < 60; i++)
        {
            var rollout = i < 10 ? 100 : 4 + (i % 3);
            await RunAsync(here, ProvisioningRunStatus.Succeeded, Now.AddMinutes(-100 + i), name => name switch
            {
                ProvisioningSteps.Rollout => (ProvisioningStepStatus.Succeeded, rollout),
                ProvisioningSteps.Database => (ProvisioningStepStatus.Succeeded, 0.5),
                _ => (ProvisioningStepStatus.Succeeded, null),
            });
        }

        // Failed attempts and other regions do not count.
        await RunAsync(here, ProvisioningRunStatus.Failed, Now, name => name == ProvisioningSteps.Rollout ? (ProvisioningStepStatus.Failed, 300) : (ProvisioningStepStatus.Pending, null));
        await RunAsync(elsewhere, ProvisioningRunStatus.Succeeded, Now, _ => (ProvisioningStepStatus.Succeeded, 42));

        var typical = await TypicalAsync("here");

        Assert.Equal(TimeSpan.FromSeconds(5), typical[ProvisioningSteps.Rollout]);
        Assert.Equal(TimeSpan.FromSeconds(0.5), typical[ProvisioningSteps.Database]);
        Assert.Equal(ProvisioningStepGuide.DefaultDuration(ProvisioningSteps.Namespace), typical[ProvisioningSteps.Namespace]);
        Assert.Equal(TimeSpan.FromSeconds(42), (await TypicalAsync("elsewhere"))[ProvisioningSteps.Namespace]);
        Assert.Equal(ProvisioningStepGuide.DefaultDuration(ProvisioningSteps.Rollout), (await TypicalAsync("nowhere"))[ProvisioningSteps.Rollout]);
    }

    [Fact]
    public async Task Progress_OfARunningRun_CountsStepsDone_AndEstimatesTheTimeLeftFromHistory()
    {
        var (owner, workspace) = await WorkspaceAsync();
        var history = await ApplicationAsync(workspace, "here");
        await RunAsync(history, ProvisioningRunStatus.Succeeded, Now.AddHours(-1), _ => (ProvisioningStepStatus.Succeeded, 10));
        var application = await ApplicationAsync(workspace, "here");
        // Three steps done, the fourth (redis-user) running for 4 s of its usual 10, the others still to come.
        var running = ProvisioningSteps.All.ToList().IndexOf(ProvisioningSteps.RedisUser);
        await RunAsync(application, ProvisioningRunStatus.Running, Now, name =>
        {
            var index = ProvisioningSteps.All.ToList().IndexOf(name);
            return index < running ? (ProvisioningStepStatus.Succeeded, 1) : index == running ? (ProvisioningStepStatus.Running, 4) : (ProvisioningStepStatus.Pending, null);
        });

        var progress = await ProgressAsync(owner, application);

        Assert.True(progress.Succeeded, progress.Failure?.Message);
        Assert.Equal(ProvisioningRunStatus.Running, progress.Value.Status);
        Assert.Equal(3 * 100 / ProvisioningSteps.All.Count, progress.Value.Percent);
        // PostgreSQL keeps microseconds, the clock ticks of 100 ns: compare to the millisecond.
        Assert.Equal(6 + ((ProvisioningSteps.All.Count - running - 1) * 10), progress.Value.EstimatedTimeLeft!.Value.TotalSeconds, 0.001);
        var step = progress.Value.Steps.Single(s => s.Name == ProvisioningSteps.RedisUser);
        Assert.Equal((ProvisioningStepStatus.Running, "Create the Redis user"), (step.Status, step.Label));
        Assert.Equal(4, step.Duration!.Value.TotalSeconds, 0.001);
        Assert.Equal(ProvisioningSteps.All, progress.Value.Steps.Select(s => s.Name));
    }

    [Fact]
    public async Task Progress_OfAFailedRun_HasTheErrorAndAHint_AndNoEstimate()
    {
        var (owner, workspace) = await WorkspaceAsync();
        var application = await ApplicationAsync(workspace, "here");
        await RunAsync(application, ProvisioningRunStatus.Failed, Now, name => name switch
        {
            ProvisioningSteps.Credentials or ProvisioningSteps.Namespace => (ProvisioningStepStatus.Succeeded, 1),
            ProvisioningSteps.Database => (ProvisioningStepStatus.Failed, 3),
            _ => (ProvisioningStepStatus.Pending, null),
        });

        var progress = (await ProgressAsync(owner, application)).Value!;

        Assert.Null(progress.EstimatedTimeLeft);
        Assert.Equal(2 * 100 / ProvisioningSteps.All.Count, progress.Percent);
        var failed = progress.Steps.Single(s => s.Status == ProvisioningStepStatus.Failed);
        Assert.Equal(ProvisioningSteps.Database, failed.Name);
        Assert.Equal("Kubernetes answered 500: boom", failed.Error);
        Assert.Contains("tenant PostgreSQL", failed.Hint, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Progress_BeforeTheFirstRun_IsAllPending_WithTheDefaultEstimate()
    {
        var (owner, workspace) = await WorkspaceAsync();
        var application = await ApplicationAsync(workspace, "quiet");

        var progress = (await ProgressAsync(owner, application)).Value!;

        Assert.Null(progress.RunId);
        Assert.All(progress.Steps, s => Assert.Equal(ProvisioningStepStatus.Pending, s.Status));
        Assert.Equal(0, progress.Percent);
        Assert.Equal(ProvisioningSteps.All.Aggregate(TimeSpan.Zero, (sum, s) => sum + ProvisioningStepGuide.DefaultDuration(s)), progress.EstimatedTimeLeft);
    }

    [Fact]
    public async Task Progress_OfAnotherWorkspacesApplication_IsNotFound()
    {
        var (_, workspace) = await WorkspaceAsync();
        var application = await ApplicationAsync(workspace, "here");
        var (outsider, _) = await WorkspaceAsync();

        Assert.Equal(FailureCode.NotFound, (await ProgressAsync(outsider, application)).Failure?.Code);
    }
}
