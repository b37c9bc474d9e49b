using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Core.Applications;
using Portal.Core.Changes;
using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Core.Provisioning;

/// <summary>
/// Rolls a <c>restarting</c> application's instance with no downtime: applies the current ConfigMap and the
/// Deployment (whose pod template carries the configuration's hash and the last restart, so a change of either
/// replaces the pods one at a time: maxUnavailable 0, maxSurge 1), waits for the rollout, then <c>active</c>.
/// Holds the application's lock, so a roll never runs at the same time as provisioning or a teardown.
/// </summary>
public sealed partial class RollApplication(
    IDbContextFactory<PortalDbContext> dbFactory,
    NpgsqlDataSource dataSource,
    KubernetesClusters clusters,
    InstanceSpecs specs,
    InstanceRollout rollout,
    TransientRetry retry,
    ChangeChannel changes,
    ILogger<RollApplication> logger)
{
    public async Task<RollOutcome> ExecuteAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        await using var held = await ApplicationLock.TryAcquireAsync(dataSource, applicationId, cancellationToken);
        if (held is null)
        {
            return RollOutcome.Busy;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var application = await db.Set<Application>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (application is not { Status: ApplicationStatus.Restarting, DeletedAt: null })
        {
            return RollOutcome.NotNeeded;
        }

        try
        {
            var instance = await specs.BuildAsync(db, application, cancellationToken);
            var k8s = clusters.Get(application.Region);
            await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.ConfigMap(instance), c), cancellationToken);
            await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.Deployment(instance), c), cancellationToken);
            await rollout.WaitAsync(k8s, instance, cancellationToken, then: "save the configuration again or restart the application");
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not DbUpdateException)
        {
            var error = ProvisionApplication.Describe(e);
            await db.Set<Application>().Where(a => a.Id == applicationId && a.Status == ApplicationStatus.Restarting)
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.Status, ApplicationStatus.Failed).SetProperty(x => x.LastError, error), cancellationToken);
            changes.Publish(ChangeTopic.Application, applicationId);
            LogRollFailed(logger, applicationId, error);
            return RollOutcome.Failed;
        }

        // Only if nothing else (a deletion) changed the status meanwhile.
        await db.Set<Application>().Where(a => a.Id == applicationId && a.Status == ApplicationStatus.Restarting)
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.Status, ApplicationStatus.Active).SetProperty(x => x.LastError, (string?)null), cancellationToken);
        changes.Publish(ChangeTopic.Application, applicationId);
        LogRolled(logger, applicationId);
        return RollOutcome.Succeeded;
    }

    [LoggerMessage(LogLevel.Information, "Instance of {ApplicationId} rolled out")]
    private static partial void LogRolled(ILogger logger, string applicationId);

    [LoggerMessage(LogLevel.Warning, "Roll of {ApplicationId} failed: {Error}")]
    private static partial void LogRollFailed(ILogger logger, string applicationId, string error);
}
