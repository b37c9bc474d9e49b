using k8s;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Portal.Core.Applications;
using Portal.Core.Provisioning;
using Portal.Tests.Infrastructure;
using Portal.Tests.Simulators.Kubernetes;

namespace Portal.Tests.Provisioning;

/// <summary>A migration that fails: its pods exit with code 1 (the simulator's exit-code annotation on the pod template).</summary>
public sealed class ProvisioningMigrationFailureTests(TestServers servers, KubernetesSimulatorFixture kubernetes)
    : PortalTest(servers), IClassFixture<KubernetesSimulatorFixture>
{
    private const string Region = SimulatedRegion.Name;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    protected override Dictionary<string, string?> Settings
    {
        get
        {
            var settings = SimulatedRegion.Settings(Servers, kubernetes);
            settings["Provisioning:PodAnnotations:simulator.authsome.cloud/exit-code"] = "1";
            settings.Remove("Provisioning:StuckPodGrace");
            return settings;
        }
    }

    [Fact]
    public async Task Provision_MigrationJobFails_FailsTheStepWithTheReasonAndItsLog_AndEmailsTheCreator()
    {
        var owner = await WorkspaceSteps.CreateUserAsync(App);
        var workspace = await WorkspaceSteps.CreateWorkspaceAsync(App, owner);
        var application = new Application
        {
            WorkspaceId = workspace.Id,
            Name = "Storefront",
            Slug = "storefront",
            Environment = ApplicationEnvironment.Production,
            Region = Region,
            CreatedAt = App.Clock.GetUtcNow(),
            CreatedByUserId = owner.Id,
        };
        await using (var db = App.CreateDbContext())
        {
            db.Add(application);
            await db.SaveChangesAsync(Ct);
        }

        var outcome = await WorkspaceSteps.RunAsync(App, sp => sp.GetRequiredService<ProvisionApplication>().ExecuteAsync(application.Id, Ct));

        Assert.Equal(ProvisioningOutcome.Failed, outcome);
        await using var check = App.CreateDbContext();
        Assert.Equal(ApplicationStatus.Failed, (await check.Set<Application>().SingleAsync(a => a.Id == application.Id, Ct)).Status);
        var run = await check.Set<ProvisioningRun>().Include(r => r.Steps).SingleAsync(r => r.ApplicationId == application.Id, Ct);
        var step = Assert.Single(run.Steps, s => s.Status == ProvisioningStepStatus.Failed);
        Assert.Equal((ProvisioningSteps.Migrations, 3), (step.Name, step.Attempts));
        Assert.Contains("BackoffLimitExceeded", step.Error, StringComparison.Ordinal);
        // The last lines of the pod's log (the simulated server writes its start-up lines).
        Assert.Contains("starting authsome server", step.Error, StringComparison.Ordinal);
        Assert.Contains("retry provisioning", step.Error, StringComparison.Ordinal);
        // Each attempt ran the migration again: the failed Job was replaced, not waited on.
        var job = await kubernetes.Client.BatchV1.ReadNamespacedJobAsync(InstanceManifests.MigrationJobName("ghcr.io/authsome/authsome:latest"),
            TenantNames.Namespace(application.Id), cancellationToken: Ct);
        Assert.Equal(3, job.Status.Failed);

        var email = await App.Smtp.WaitForAsync(owner.Email!, "Provisioning of Storefront failed");
        Assert.Contains("BackoffLimitExceeded", email.TextBody, StringComparison.Ordinal);
        Assert.Contains("Retry provisioning", email.TextBody, StringComparison.Ordinal);
        Assert.EndsWith($"/workspaces/{workspace.Id}/applications/{application.Id}", TestSmtpServer.LinkIn(email, "/applications/"), StringComparison.Ordinal);
    }
}
