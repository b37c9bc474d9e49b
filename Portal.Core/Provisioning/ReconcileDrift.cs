using k8s;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Npgsql;
using Portal.Core.Applications;
using Portal.Core.Audit;
using Portal.Core.Provisioning.Kubernetes;

namespace Portal.Core.Provisioning;

/// <summary>
/// Puts every active application's instance back as provisioning left it: each expected Kubernetes object is
/// server-side applied again (one that is missing or changed shows in its resourceVersion or generation), the tenant
/// database, role and Redis user are ensured. What was repaired is recorded as one audit event per application.
/// An application whose provisioning runs (its lock is held) is skipped until next time.
/// </summary>
public sealed partial class ReconcileDrift(
    IDbContextFactory<PortalDbContext> dbFactory,
    NpgsqlDataSource dataSource,
    KubernetesClusters clusters,
    TenantPostgres postgres,
    TenantRedis redis,
    TenantSecrets secrets,
    TransientRetry retry,
    InstanceSpecs specs,
    AuditLog audit,
    ILogger<ReconcileDrift> logger)
{
    public const string AuditAction = "application.drift_repaired";

    /// <summary>Reconciles every active application; returns how many had something repaired.</summary>
    public async Task<int> ExecuteAsync(CancellationToken cancellationToken = default)
    {
        List<string> ids;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            ids = await db.Set<Application>().Where(a => a.Status == ApplicationStatus.Active && a.DeletedAt == null)
                .OrderBy(a => a.Id).Select(a => a.Id).ToListAsync(cancellationToken);
        }

        var repaired = 0;
        foreach (var id in ids)
        {
            try
            {
                if (await ReconcileAsync(id, cancellationToken) is { Count: > 0 })
                {
                    repaired++;
                }
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not DbUpdateException)
            {
                // One unreachable region or broken application does not stop the others.
                LogFailed(logger, id, e.GetType().Name, e.Message);
            }
        }

        return repaired;
    }

    /// <summary>What was repaired for one application; null when it was skipped (not active, or provisioning holds its lock).</summary>
    public async Task<IReadOnlyList<string>?> ReconcileAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        await using var held = await ApplicationLock.TryAcquireAsync(dataSource, applicationId, cancellationToken);
        if (held is null)
        {
            LogSkipped(logger, applicationId);
            return null;
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var application = await db.Set<Application>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (application is not { Status: ApplicationStatus.Active, DeletedAt: null })
        {
            return null;
        }

        var instance = await specs.BuildAsync(db, application, cancellationToken);
        var repaired = new List<string>();
        await RepairTenantServersAsync(instance, repaired, cancellationToken);
        await RepairObjectsAsync(clusters.Get(application.Region), instance, repaired, cancellationToken);
        if (repaired.Count == 0)
        {
            return repaired;
        }

        audit.Add(db, Actor.System, AuditAction, application.WorkspaceId, "application", application.Id,
            new AuditChanges().Field<string?>("repaired", null, string.Join(", ", repaired)));
        await db.SaveChangesAsync(cancellationToken);
        LogRepaired(logger, application.Id, string.Join(", ", repaired));
        return repaired;
    }

    private async Task RepairTenantServersAsync(InstanceSpec instance, List<string> repaired, CancellationToken ct)
    {
        var names = instance.Names;
        var region = instance.Application.Region;
        repaired.AddRange(await retry.RunAsync(c => postgres.MissingAsync(region, names.DatabaseName, names.DatabaseRole, c), ct));
        await retry.RunAsync(c => postgres.EnsureAsync(region, names.DatabaseName, names.DatabaseRole, secrets.Unprotect(names.ProtectedDatabasePassword), c), ct);

        // SETUSER with reset puts back every rule: one someone changed, or an older release's (its password stays).
        var before = await retry.RunAsync(c => redis.DescribeUserAsync(region, names.RedisUser, c), ct);
        await retry.RunAsync(c => redis.EnsureUserAsync(region, names.RedisUser, names.RedisKeyPrefix, secrets.Unprotect(names.ProtectedRedisPassword), c), ct);
        if (before is null)
        {
            repaired.Add($"Redis user {names.RedisUser}");
        }
        else if (before != await retry.RunAsync(c => redis.DescribeUserAsync(region, names.RedisUser, c), ct))
        {
            repaired.Add($"Redis user {names.RedisUser} (rules changed back)");
        }
    }

    /// <summary>
    /// Every object provisioning made, in its order, except the migration Job (it is removed after a week on purpose).
    /// </summary>
    private async Task RepairObjectsAsync(IKubernetes k8s, InstanceSpec instance, List<string> repaired, CancellationToken ct)
    {
        var ns = instance.Namespace;
        const string name = InstanceManifests.Name;
        await RepairAsync("Namespace", repaired, c => k8s.CoreV1.ReadNamespaceAsync(ns, cancellationToken: c), c => k8s.ApplyAsync(InstanceManifests.Namespace(instance), c), ct);
        await RepairAsync("ServiceAccount", repaired, c => k8s.CoreV1.ReadNamespacedServiceAccountAsync(name, ns, cancellationToken: c),
            c => k8s.ApplyAsync(InstanceManifests.ServiceAccount(instance), c), ct);
        await RepairAsync("Secret", repaired, c => k8s.CoreV1.ReadNamespacedSecretAsync(name, ns, cancellationToken: c),
            c => k8s.ApplyAsync(InstanceManifests.Secret(instance), c), ct);
        await RepairAsync("ConfigMap", repaired, c => k8s.CoreV1.ReadNamespacedConfigMapAsync(name, ns, cancellationToken: c),
            c => k8s.ApplyAsync(InstanceManifests.ConfigMap(instance), c), ct);
        await RepairAsync("ResourceQuota", repaired, c => k8s.CoreV1.ReadNamespacedResourceQuotaAsync(name, ns, cancellationToken: c),
            c => k8s.ApplyAsync(InstanceManifests.ResourceQuota(instance), c), ct);
        await RepairAsync("LimitRange", repaired, c => k8s.CoreV1.ReadNamespacedLimitRangeAsync(name, ns, cancellationToken: c),
            c => k8s.ApplyAsync(InstanceManifests.LimitRange(instance), c), ct);
        await RepairAsync("NetworkPolicy", repaired, c => k8s.NetworkingV1.ReadNamespacedNetworkPolicyAsync(name, ns, cancellationToken: c),
            c => k8s.ApplyAsync(InstanceManifests.NetworkPolicy(instance), c), ct);
        await RepairAsync("Deployment", repaired, c => k8s.AppsV1.ReadNamespacedDeploymentAsync(name, ns, cancellationToken: c),
            c => InstanceDeployment.EnsureAsync(k8s, instance, retry, c), ct);
        await RepairAsync("Service", repaired, c => k8s.CoreV1.ReadNamespacedServiceAsync(name, ns, cancellationToken: c),
            c => k8s.ApplyAsync(InstanceManifests.Service(instance), c), ct);
        await RepairAsync("PodDisruptionBudget", repaired, c => k8s.PolicyV1.ReadNamespacedPodDisruptionBudgetAsync(name, ns, cancellationToken: c),
            c => k8s.ApplyAsync(InstanceManifests.PodDisruptionBudget(instance), c), ct);
        await RepairAsync("HorizontalPodAutoscaler", repaired, c => k8s.AutoscalingV2.ReadNamespacedHorizontalPodAutoscalerAsync(name, ns, cancellationToken: c),
            c => k8s.ApplyAsync(InstanceManifests.HorizontalPodAutoscaler(instance), c), ct);
    }

    private async Task RepairAsync<T>(string kind, List<string> repaired, Func<CancellationToken, Task<T>> read, Func<CancellationToken, Task<T>> apply, CancellationToken ct)
        where T : class, IKubernetesObject<V1ObjectMeta>
    {
        var before = await retry.RunAsync(c => KubernetesReads.OrNullAsync(() => read(c)), ct);
        var after = await retry.RunAsync(apply, ct);
        if (before is null)
        {
            repaired.Add($"{kind} (recreated)");
        }
        else if (Changed(before.Metadata, after.Metadata))
        {
            repaired.Add($"{kind} (changed back)");
        }
    }

    /// <summary>
    /// Our apply changed the object: its spec (generation), or, for objects without one, anything (resourceVersion);
    /// status updates by controllers between the read and the apply are not counted.
    /// </summary>
    private static bool Changed(V1ObjectMeta before, V1ObjectMeta after) =>
        before.Generation is { } generation
            ? generation != after.Generation || !SameMap(before.Labels, after.Labels) || !SameMap(before.Annotations, after.Annotations)
            : before.ResourceVersion != after.ResourceVersion;

    private static bool SameMap(IDictionary<string, string>? a, IDictionary<string, string>? b) =>
        (a?.Count ?? 0) == (b?.Count ?? 0) && (a is null || a.All(p => b!.TryGetValue(p.Key, out var v) && v == p.Value));

    [LoggerMessage(LogLevel.Warning, "Drift repaired on {ApplicationId}: {Repaired}")]
    private static partial void LogRepaired(ILogger logger, string applicationId, string repaired);

    [LoggerMessage(LogLevel.Information, "Drift check of {ApplicationId} skipped: its provisioning is running")]
    private static partial void LogSkipped(ILogger logger, string applicationId);

    [LoggerMessage(LogLevel.Warning, "Drift check of {ApplicationId} failed ({Error}: {Message}); next run tries again")]
    private static partial void LogFailed(ILogger logger, string applicationId, string error, string message);
}
