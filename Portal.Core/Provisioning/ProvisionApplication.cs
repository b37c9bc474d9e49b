using System.Diagnostics;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core.Applications;
using Portal.Core.Provisioning.Kubernetes;
using StackExchange.Redis;

namespace Portal.Core.Provisioning;

/// <summary>
/// Turns an application into a running instance: a run of idempotent "ensure" steps whose progress is stored in
/// PostgreSQL. An interrupted run resumes where it stopped; after a failed run a new one resumes from the failed
/// step; after a finished one a new run ensures everything again (and changes nothing). One run per application at
/// a time, held by a PostgreSQL advisory lock.
/// </summary>
public sealed partial class ProvisionApplication(
    IDbContextFactory<PortalDbContext> dbFactory,
    NpgsqlDataSource dataSource,
    KubernetesClusters clusters,
    TenantPostgres postgres,
    TenantRedis redis,
    TenantSecrets secrets,
    TransientRetry retry,
    InstanceMigrations migrations,
    ProvisioningEmails emails,
    InstanceSpecs specs,
    IOptions<ProvisioningOptions> options,
    TimeProvider clock,
    ILogger<ProvisionApplication> logger)
{
    private static readonly HashSet<string> StuckContainerReasons =
        ["ErrImagePull", "ImagePullBackOff", "InvalidImageName", "ErrImageNeverPull", "CrashLoopBackOff", "CreateContainerConfigError"];

    public async Task<ProvisioningOutcome> ExecuteAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        // A session-level lock on a connection of its own, held for the whole run.
        await using var lockConnection = await dataSource.OpenConnectionAsync(cancellationToken);
        if (!await TryLockAsync(lockConnection, applicationId, cancellationToken))
        {
            LogAlreadyRunning(logger, applicationId);
            return ProvisioningOutcome.AlreadyRunning;
        }

        try
        {
            return await RunAsync(applicationId, cancellationToken);
        }
        finally
        {
            await UnlockAsync(lockConnection, applicationId);
        }
    }

    private static async Task<bool> TryLockAsync(NpgsqlConnection connection, string applicationId, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended(@key, 0))", connection);
        command.Parameters.AddWithValue("key", "provisioning:" + applicationId);
        return (bool)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    private static async Task UnlockAsync(NpgsqlConnection connection, string applicationId)
    {
        await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended(@key, 0))", connection);
        command.Parameters.AddWithValue("key", "provisioning:" + applicationId);
        await command.ExecuteScalarAsync(CancellationToken.None);
    }

    private async Task<ProvisioningOutcome> RunAsync(string applicationId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var application = await db.Set<Application>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (application is null || application.Status is ApplicationStatus.Deleting or ApplicationStatus.Deleted || application.DeletedAt is not null)
        {
            return ProvisioningOutcome.NotProvisionable;
        }

        var run = await CurrentRunAsync(db, applicationId, cancellationToken);
        var now = clock.GetUtcNow();
        run.Status = ProvisioningRunStatus.Running;
        run.StartedAt ??= now;
        run.Error = null;
        await db.SaveChangesAsync(cancellationToken);
        if (application.Status is not ApplicationStatus.Active)
        {
            await SetApplicationStatusAsync(db, applicationId, ApplicationStatus.Provisioning, null, cancellationToken);
        }

        LogRunStarted(logger, run.Id, applicationId);
        var state = new RunState(application);
        foreach (var step in run.Steps.OrderBy(s => s.Order))
        {
            if (step.Status == ProvisioningStepStatus.Succeeded)
            {
                continue;
            }

            if (!await RunStepAsync(db, state, step, cancellationToken))
            {
                run.Status = ProvisioningRunStatus.Failed;
                run.FinishedAt = clock.GetUtcNow();
                run.Error = $"Step '{step.Name}' failed after {step.Attempts} attempts: {step.Error}";
                await db.SaveChangesAsync(cancellationToken);
                await SetApplicationStatusAsync(db, applicationId, ApplicationStatus.Failed, null, cancellationToken);
                LogRunFailed(logger, run.Id, applicationId, step.Name);
                await emails.SendFailedAsync(db, application, step.Name, step.Error, cancellationToken);
                return ProvisioningOutcome.Failed;
            }
        }

        run.Status = ProvisioningRunStatus.Succeeded;
        run.FinishedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        LogRunSucceeded(logger, run.Id, applicationId);
        if (application.Status is ApplicationStatus.Provisioning or ApplicationStatus.Failed)
        {
            // Only the run that made it active: re-running an active application's provisioning is no news.
            await emails.SendReadyAsync(db, application, cancellationToken);
        }

        return ProvisioningOutcome.Succeeded;
    }

    /// <summary>The run to go on with: an unfinished one (interrupted), or a new one.</summary>
    private async Task<ProvisioningRun> CurrentRunAsync(PortalDbContext db, string applicationId, CancellationToken cancellationToken)
    {
        var latest = await db.Set<ProvisioningRun>().Include(r => r.Steps)
            .Where(r => r.ApplicationId == applicationId)
            // The steps' identity column orders runs even when two were created within one clock tick.
            .OrderByDescending(r => r.Steps.Max(s => s.Id))
            .FirstOrDefaultAsync(cancellationToken);
        if (latest is { Status: ProvisioningRunStatus.Pending or ProvisioningRunStatus.Running })
        {
            return latest;
        }

        var run = new ProvisioningRun { ApplicationId = applicationId, CreatedAt = clock.GetUtcNow() };
        var order = 0;
        foreach (var name in ProvisioningSteps.All)
        {
            // A retry after a failure resumes from the failed step: what the failed run did stays done.
            var done = latest is { Status: ProvisioningRunStatus.Failed }
                && latest.Steps.Any(s => s.Name == name && s.Status == ProvisioningStepStatus.Succeeded);
            run.Steps.Add(new ProvisioningStep
            {
                RunId = run.Id,
                Name = name,
                Order = order++,
                Status = done ? ProvisioningStepStatus.Succeeded : ProvisioningStepStatus.Pending,
            });
        }

        db.Add(run);
        await db.SaveChangesAsync(cancellationToken);
        return run;
    }

    private async Task<bool> RunStepAsync(PortalDbContext db, RunState state, ProvisioningStep step, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        while (true)
        {
            step.Status = ProvisioningStepStatus.Running;
            step.Attempts++;
            step.StartedAt = clock.GetUtcNow();
            step.FinishedAt = null;
            await db.SaveChangesAsync(cancellationToken);
            try
            {
                await EnsureAsync(db, state, step.Name, cancellationToken);
                step.Status = ProvisioningStepStatus.Succeeded;
                step.Error = null;
                step.FinishedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
                return true;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not DbUpdateException)
            {
                step.Error = Describe(e);
                step.FinishedAt = clock.GetUtcNow();
                LogStepAttemptFailed(logger, step.Name, step.Attempts, state.Application.Id, step.Error);
                if (step.Attempts >= settings.MaxAttempts)
                {
                    step.Status = ProvisioningStepStatus.Failed;
                    await db.SaveChangesAsync(cancellationToken);
                    return false;
                }

                await db.SaveChangesAsync(cancellationToken);
                await Task.Delay(TransientRetry.BackOff(step.Attempts - 1, settings.RetryDelay, settings.MaxRetryDelay), cancellationToken);
            }
        }
    }

    private async Task EnsureAsync(PortalDbContext db, RunState state, string step, CancellationToken ct)
    {
        var application = state.Application;
        switch (step)
        {
            case ProvisioningSteps.Credentials:
                await EnsureCredentialsAsync(db, application, ct);
                return;
            case ProvisioningSteps.Activate:
                var spec = await SpecAsync(db, state, ct);
                await SetApplicationStatusAsync(db, application.Id, ApplicationStatus.Active, spec.InternalUrl, ct);
                return;
        }

        var instance = await SpecAsync(db, state, ct);
        var k8s = clusters.Get(application.Region);
        switch (step)
        {
            case ProvisioningSteps.Namespace:
                await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.Namespace(instance), c), ct);
                break;
            case ProvisioningSteps.Database:
                var names = instance.Names;
                await retry.RunAsync(c => postgres.EnsureAsync(application.Region, names.DatabaseName, names.DatabaseRole,
                    secrets.Unprotect(names.ProtectedDatabasePassword), c), ct);
                break;
            case ProvisioningSteps.RedisUser:
                await retry.RunAsync(c => redis.EnsureUserAsync(application.Region, instance.Names.RedisUser, instance.Names.RedisKeyPrefix,
                    secrets.Unprotect(instance.Names.ProtectedRedisPassword), c), ct);
                break;
            case ProvisioningSteps.Configuration:
                await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.ServiceAccount(instance), c), ct);
                await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.Secret(instance), c), ct);
                await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.ConfigMap(instance), c), ct);
                break;
            case ProvisioningSteps.Policies:
                await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.ResourceQuota(instance), c), ct);
                await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.LimitRange(instance), c), ct);
                await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.NetworkPolicy(instance), c), ct);
                break;
            case ProvisioningSteps.Workload:
                await InstanceDeployment.EnsureAsync(k8s, instance, retry, ct);
                await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.Service(instance), c), ct);
                await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.PodDisruptionBudget(instance), c), ct);
                await retry.RunAsync(c => k8s.ApplyAsync(InstanceManifests.HorizontalPodAutoscaler(instance), c), ct);
                break;
            case ProvisioningSteps.Migrations:
                await migrations.RunAsync(k8s, instance, ct);
                break;
            case ProvisioningSteps.Rollout:
                await WaitForRolloutAsync(k8s, instance, ct);
                break;
            default:
                throw new InvalidOperationException($"Unknown provisioning step '{step}'.");
        }
    }

    /// <summary>Reserves the names (unique indexes) and generates the secrets, once; later runs find them.</summary>
    private async Task EnsureCredentialsAsync(PortalDbContext db, Application application, CancellationToken ct)
    {
        if (await db.Set<TenantCredentials>().AnyAsync(c => c.ApplicationId == application.Id, ct))
        {
            return;
        }

        db.Add(new TenantCredentials
        {
            ApplicationId = application.Id,
            Namespace = TenantNames.Namespace(application.Id),
            DatabaseName = TenantNames.Database(application.Id),
            DatabaseRole = TenantNames.Role(application.Id),
            RedisUser = TenantNames.RedisUser(application.Id),
            RedisKeyPrefix = TenantNames.RedisKeyPrefix(application.Id),
            ProtectedDatabasePassword = secrets.Protect(TenantSecrets.NewPassword()),
            ProtectedRedisPassword = secrets.Protect(TenantSecrets.NewPassword()),
            ProtectedSigningKey = secrets.Protect(TenantSecrets.NewSigningKey()),
            CreatedAt = clock.GetUtcNow(),
        });
        await db.SaveChangesAsync(ct);
    }

    private async Task<InstanceSpec> SpecAsync(PortalDbContext db, RunState state, CancellationToken ct)
    {
        if (state.Spec is { } cached)
        {
            return cached;
        }

        state.Spec = await specs.CreateAsync(db, state.Application, ct);
        return state.Spec;
    }

    /// <summary>Until every replica of the current generation is ready; a pod that cannot start fails the attempt at once.</summary>
    private async Task WaitForRolloutAsync(IKubernetes k8s, InstanceSpec instance, CancellationToken ct)
    {
        var settings = options.Value;
        var elapsed = Stopwatch.StartNew();
        var stuckSince = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        while (true)
        {
            var deployment = await retry.RunAsync(c => k8s.AppsV1.ReadNamespacedDeploymentAsync(InstanceManifests.Name, instance.Namespace, cancellationToken: c), ct);
            if (RolledOut(deployment))
            {
                return;
            }

            if (deployment.Status?.Conditions?.FirstOrDefault(c => c.Type == "Progressing") is { Status: "False" } progressing)
            {
                throw new ProvisioningException($"The deployment stopped progressing ({progressing.Reason}): {progressing.Message}");
            }

            var pods = await retry.RunAsync(c => k8s.CoreV1.ListNamespacedPodAsync(instance.Namespace, labelSelector: "app.kubernetes.io/name=" + InstanceManifests.Name, cancellationToken: c), ct);
            foreach (var pod in pods.Items)
            {
                var waiting = pod.Status?.ContainerStatuses?.Select(s => s.State?.Waiting).FirstOrDefault(w => w?.Reason is { } reason && StuckContainerReasons.Contains(reason));
                if (waiting is null)
                {
                    stuckSince.Remove(pod.Metadata.Name);
                    continue;
                }

                // A pod seen stuck may be a moment from recovering (the image was just fixed): only a pod that stays stuck fails the attempt.
                var since = stuckSince.TryGetValue(pod.Metadata.Name, out var first) ? first : stuckSince[pod.Metadata.Name] = elapsed.Elapsed;
                if (elapsed.Elapsed - since >= settings.StuckPodGrace)
                {
                    throw new ProvisioningException($"Pod {pod.Metadata.Name} cannot start: {waiting.Reason}: {waiting.Message} " + Hint(waiting.Reason));
                }
            }

            if (elapsed.Elapsed > settings.RolloutTimeout)
            {
                throw new ProvisioningException(
                    $"The rollout did not finish within {settings.RolloutTimeout}: {deployment.Status?.ReadyReplicas ?? 0} of {deployment.Spec.Replicas} replicas ready.");
            }

            await Task.Delay(settings.RolloutPollInterval, ct);
        }
    }

    public static bool RolledOut(V1Deployment deployment)
    {
        var replicas = deployment.Spec.Replicas ?? 1;
        var status = deployment.Status;
        return status is not null
            && status.ObservedGeneration >= deployment.Metadata.Generation
            && status.UpdatedReplicas == replicas
            && status.ReadyReplicas == replicas
            && status.AvailableReplicas == replicas
            && (status.Replicas ?? 0) == replicas;
    }

    private static string Hint(string? reason) => reason switch
    {
        "ErrImagePull" or "ImagePullBackOff" or "InvalidImageName" or "ErrImageNeverPull" =>
            "Check that the instance image exists and the cluster can pull it, then retry provisioning.",
        "CrashLoopBackOff" => "The server exits after starting: check its logs and configuration, then retry provisioning.",
        _ => "Check the pod's events, then retry provisioning.",
    };

    /// <summary>A message for the owner: the cause, never a secret (no connection strings or statements).</summary>
    private static string Describe(Exception e)
    {
        var message = e switch
        {
            HttpOperationException http => $"Kubernetes answered {(int)http.Response.StatusCode}: {StatusMessage(http) ?? http.Response.ReasonPhrase}",
            PostgresException pg => $"PostgreSQL: {pg.SqlState} {pg.MessageText}",
            NpgsqlException => "PostgreSQL could not be reached.",
            RedisException redisError => $"Redis: {redisError.Message}",
            _ => e.Message,
        };
        return message.Length > 1000 ? message[..1000] : message;
    }

    private static string? StatusMessage(HttpOperationException e)
    {
        try
        {
            return string.IsNullOrEmpty(e.Response.Content) ? null : KubernetesJson.Deserialize<V1Status>(e.Response.Content)?.Message;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }

    private static Task<int> SetApplicationStatusAsync(PortalDbContext db, string applicationId, ApplicationStatus status, string? internalUrl, CancellationToken ct) =>
        internalUrl is null
            ? db.Set<Application>().Where(a => a.Id == applicationId && a.DeletedAt == null).ExecuteUpdateAsync(a => a.SetProperty(x => x.Status, status), ct)
            : db.Set<Application>().Where(a => a.Id == applicationId && a.DeletedAt == null)
                .ExecuteUpdateAsync(a => a.SetProperty(x => x.Status, status).SetProperty(x => x.InternalUrl, internalUrl), ct);

    private sealed class RunState(Application application)
    {
        public Application Application { get; } = application;

        public InstanceSpec? Spec { get; set; }
    }

    [LoggerMessage(LogLevel.Information, "Provisioning of {ApplicationId} is already running elsewhere; this run does nothing")]
    private static partial void LogAlreadyRunning(ILogger logger, string applicationId);

    [LoggerMessage(LogLevel.Information, "Provisioning run {RunId} of {ApplicationId} started")]
    private static partial void LogRunStarted(ILogger logger, string runId, string applicationId);

    [LoggerMessage(LogLevel.Information, "Provisioning run {RunId} of {ApplicationId} succeeded")]
    private static partial void LogRunSucceeded(ILogger logger, string runId, string applicationId);

    [LoggerMessage(LogLevel.Warning, "Provisioning run {RunId} of {ApplicationId} failed at step {Step}")]
    private static partial void LogRunFailed(ILogger logger, string runId, string applicationId, string step);

    [LoggerMessage(LogLevel.Warning, "Provisioning step {Step} (attempt {Attempt}) of {ApplicationId} failed: {Error}")]
    private static partial void LogStepAttemptFailed(ILogger logger, string step, int attempt, string applicationId, string error);
}
