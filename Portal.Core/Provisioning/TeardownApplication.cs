using k8s;
using k8s.Autorest;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Changes;
using Portal.Core.Provisioning.Kubernetes;
using Portal.Core.Webhooks;

namespace Portal.Core.Provisioning;

/// <summary>
/// Removes an application's instance, in the reverse order of provisioning: the namespace (waited for until it is
/// gone), the tenant database (its connections terminated), its role, the Redis user and every key under its prefix,
/// the stored credentials; then the application is <c>deleted</c> (the row stays for billing history). Every step
/// is "ensure gone", so a teardown run twice, or again after a crash anywhere, is harmless and finishes the job.
/// Holds the application's lock, so it never runs at the same time as provisioning or a roll.
/// </summary>
public sealed partial class TeardownApplication(
    IDbContextFactory<PortalDbContext> dbFactory,
    NpgsqlDataSource dataSource,
    KubernetesClusters clusters,
    TenantPostgres postgres,
    TenantRedis redis,
    TransientRetry retry,
    AuditLog audit,
    ChangeChannel changes,
    PlatformEvents events,
    TimeProvider clock,
    IOptions<ApplicationOptions> applicationOptions,
    IOptions<ProvisioningOptions> provisioningOptions,
    ILogger<TeardownApplication> logger)
{
    /// <summary>Every application <c>deleting</c> for longer than the restore window (the hourly job); returns how many went.</summary>
    public async Task<int> ExecuteExpiredAsync(CancellationToken cancellationToken = default)
    {
        var cutoff = clock.GetUtcNow() - applicationOptions.Value.DeletedRetention;
        List<string> expired;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            expired = await db.Set<Application>()
                .Where(a => a.Status == ApplicationStatus.Deleting && a.DeletedAt <= cutoff)
                .OrderBy(a => a.DeletedAt).Select(a => a.Id)
                .ToListAsync(cancellationToken);
        }

        var tornDown = 0;
        foreach (var id in expired)
        {
            try
            {
                if (await ExecuteAsync(id, onlyIfExpired: true, cancellationToken) == TeardownOutcome.TornDown)
                {
                    tornDown++;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                // One application's failure does not hold up the others; the next run resumes it.
                LogTeardownFailed(logger, id, ProvisionApplication.Describe(e));
            }
        }

        return tornDown;
    }

    /// <param name="onlyIfExpired">
    /// True for the teardown of a deleted application: only once its restore window has passed (re-checked under
    /// the lock, so that a restore that just happened wins). False when its workspace is purged.
    /// </param>
    public async Task<TeardownOutcome> ExecuteAsync(string applicationId, bool onlyIfExpired, CancellationToken cancellationToken = default)
    {
        await using var held = await ApplicationLock.TryAcquireAsync(dataSource, applicationId, cancellationToken);
        if (held is null)
        {
            return TeardownOutcome.Busy;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var application = await db.Set<Application>().SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        var cutoff = clock.GetUtcNow() - applicationOptions.Value.DeletedRetention;
        if (application is null || application.Status == ApplicationStatus.Deleted
            || (onlyIfExpired && (application.Status != ApplicationStatus.Deleting || application.DeletedAt > cutoff)))
        {
            return TeardownOutcome.NotNeeded;
        }

        var credentials = await db.Set<TenantCredentials>().SingleOrDefaultAsync(c => c.ApplicationId == applicationId, cancellationToken);
        // The names are derived from the id: after a crash that already removed the credentials, they are the same.
        var ns = credentials?.Namespace ?? TenantNames.Namespace(applicationId);
        var database = credentials?.DatabaseName ?? TenantNames.Database(applicationId);
        var role = credentials?.DatabaseRole ?? TenantNames.Role(applicationId);
        var redisUser = credentials?.RedisUser ?? TenantNames.RedisUser(applicationId);
        var keyPrefix = credentials?.RedisKeyPrefix ?? TenantNames.RedisKeyPrefix(applicationId);
        var region = application.Region;

        await DeleteNamespaceAsync(clusters.Get(region), ns, cancellationToken);
        await retry.RunAsync(c => postgres.DropAsync(region, database, role, c), cancellationToken);
        await retry.RunAsync(c => redis.DeleteUserAsync(region, redisUser, c), cancellationToken);
        var keys = await retry.RunAsync(c => redis.DeleteKeysAsync(region, keyPrefix, c), cancellationToken);

        if (credentials is not null)
        {
            db.Remove(credentials);
        }

        var before = application.Status;
        application.Status = ApplicationStatus.Deleted;
        application.DeletedAt ??= clock.GetUtcNow();
        audit.Add(db, Actor.System, "application.torn_down", application.WorkspaceId, "application", application.Id,
            new AuditChanges().Field("status", before, application.Status).Field<string?>("namespace", ns, null).Field<string?>("database", database, null));
        events.Add(db, application.Id, PlatformEventTypes.ApplicationDeleted, PlatformEventData.Application(application));
        await db.SaveChangesAsync(cancellationToken);
        changes.Publish(ChangeTopic.Application, applicationId);
        LogTornDown(logger, applicationId, keys);
        return TeardownOutcome.TornDown;
    }

    /// <summary>Deletes the namespace (with everything in it) and waits until the cluster has removed it.</summary>
    private async Task DeleteNamespaceAsync(IKubernetes k8s, string ns, CancellationToken cancellationToken)
    {
        var settings = provisioningOptions.Value;
        try
        {
            await retry.RunAsync(c => k8s.CoreV1.DeleteNamespaceAsync(ns, cancellationToken: c), cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
        {
            return;
        }

        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await retry.RunAsync(c => k8s.CoreV1.ReadNamespaceAsync(ns, cancellationToken: c), cancellationToken);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                return;
            }

            if (elapsed.Elapsed > settings.RolloutTimeout)
            {
                throw new ProvisioningException($"Namespace {ns} is still terminating after {settings.RolloutTimeout}; the next teardown run waits again.");
            }

            await Task.Delay(settings.RolloutPollInterval, clock, cancellationToken);
        }
    }

    [LoggerMessage(LogLevel.Information, "Tore down the instance of {ApplicationId} ({Keys} Redis keys removed)")]
    private static partial void LogTornDown(ILogger logger, string applicationId, long keys);

    [LoggerMessage(LogLevel.Warning, "Teardown of {ApplicationId} failed, the next run resumes it: {Error}")]
    private static partial void LogTeardownFailed(ILogger logger, string applicationId, string error);
}
