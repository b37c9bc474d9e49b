using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using Portal.Core.Applications;
using Portal.Core.Changes;
using Portal.Core.Provisioning.Steps;
using Portal.Core.Webhooks;
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
    IEnumerable<IProvisioningStep> steps,
    InstanceSpecs specs,
    ProvisioningEmails emails,
    PlatformEvents events,
    IOptions<ProvisioningOptions> options,
    TimeProvider clock,
    ChangeChannel changes,
    ILogger<ProvisionApplication> logger)
{
    /// <summary>In the order registered (<see cref="ProvisioningServiceCollectionExtensions.AddProvisioning"/>), which is the order a new run's steps are stored in.</summary>
    private readonly IReadOnlyList<IProvisioningStep> _steps = [.. steps];

    public async Task<ProvisioningOutcome> ExecuteAsync(string applicationId, CancellationToken cancellationToken = default)
    {
        // Held for the whole run; a configuration roll or a teardown holds the same lock.
        await using var held = await ApplicationLock.TryAcquireAsync(dataSource, applicationId, cancellationToken);
        if (held is null)
        {
            LogAlreadyRunning(logger, applicationId);
            return ProvisioningOutcome.AlreadyRunning;
        }

        return await RunAsync(applicationId, cancellationToken);
    }

    private async Task<ProvisioningOutcome> RunAsync(string applicationId, CancellationToken cancellationToken)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var application = await db.Set<Application>().AsNoTracking().SingleOrDefaultAsync(a => a.Id == applicationId, cancellationToken);
        if (application is null || application.Status is ApplicationStatus.Deleting or ApplicationStatus.Deleted or ApplicationStatus.Suspended
            || application.DeletedAt is not null)
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
            await SetApplicationStatusAsync(db, applicationId, ApplicationStatus.Provisioning, cancellationToken);
        }

        Changed(applicationId);

        LogRunStarted(logger, run.Id, applicationId);
        var context = new ProvisioningContext(db, application, specs);
        foreach (var step in run.Steps.OrderBy(s => s.Order))
        {
            if (step.Status == ProvisioningStepStatus.Succeeded)
            {
                continue;
            }

            if (!await RunStepAsync(context, step, cancellationToken))
            {
                run.Status = ProvisioningRunStatus.Failed;
                run.FinishedAt = clock.GetUtcNow();
                run.Error = $"Step '{step.Name}' failed after {step.Attempts} attempts: {step.Error}";
                events.Add(db, applicationId, PlatformEventTypes.ApplicationFailed, PlatformEventData.Failed(application, step.Name, step.Error ?? run.Error));
                await db.SaveChangesAsync(cancellationToken);
                await SetApplicationStatusAsync(db, applicationId, ApplicationStatus.Failed, cancellationToken);
                Changed(applicationId);
                LogRunFailed(logger, run.Id, applicationId, step.Name);
                await emails.SendFailedAsync(db, application, step.Name, step.Error, cancellationToken);
                return ProvisioningOutcome.Failed;
            }
        }

        run.Status = ProvisioningRunStatus.Succeeded;
        run.FinishedAt = clock.GetUtcNow();
        // Only the run that made it active is news: re-running an active application's provisioning is not.
        var madeActive = application.Status is ApplicationStatus.Provisioning or ApplicationStatus.Failed;
        if (madeActive)
        {
            events.Add(db, applicationId, PlatformEventTypes.ApplicationProvisioned, PlatformEventData.Application(application, ApplicationStatus.Active));
        }

        await db.SaveChangesAsync(cancellationToken);
        Changed(applicationId);
        LogRunSucceeded(logger, run.Id, applicationId);
        if (madeActive)
        {
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
        foreach (var name in _steps.Select(s => s.Name))
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

    private async Task<bool> RunStepAsync(ProvisioningContext context, ProvisioningStep step, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var db = context.Db;
        var applicationId = context.Application.Id;
        while (true)
        {
            step.Status = ProvisioningStepStatus.Running;
            step.Attempts++;
            step.StartedAt = clock.GetUtcNow();
            step.FinishedAt = null;
            await db.SaveChangesAsync(cancellationToken);
            Changed(applicationId);
            try
            {
                await StepNamed(step.Name).RunAsync(context, cancellationToken);
                step.Status = ProvisioningStepStatus.Succeeded;
                step.Error = null;
                step.FinishedAt = clock.GetUtcNow();
                await db.SaveChangesAsync(cancellationToken);
                Changed(applicationId);
                return true;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && e is not DbUpdateException)
            {
                step.Error = Describe(e);
                step.FinishedAt = clock.GetUtcNow();
                LogStepAttemptFailed(logger, step.Name, step.Attempts, applicationId, step.Error);
                if (step.Attempts >= settings.MaxAttempts)
                {
                    step.Status = ProvisioningStepStatus.Failed;
                    await db.SaveChangesAsync(cancellationToken);
                    return false;
                }

                await db.SaveChangesAsync(cancellationToken);
                Changed(applicationId);
                await Task.Delay(BackOff.Delay(step.Attempts - 1, settings.RetryDelay, settings.MaxRetryDelay), clock, cancellationToken);
            }
        }
    }

    /// <summary>The step a stored run names; a name no registered step has fails that step's attempts with a clear error.</summary>
    private IProvisioningStep StepNamed(string name) =>
        _steps.FirstOrDefault(s => s.Name == name) ?? throw new InvalidOperationException($"Unknown provisioning step '{name}'.");

    /// <summary>A message for the owner: the cause, never a secret (no connection strings or statements).</summary>
    internal static string Describe(Exception e)
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

    private static Task<int> SetApplicationStatusAsync(PortalDbContext db, string applicationId, ApplicationStatus status, CancellationToken ct) =>
        db.Set<Application>().Where(a => a.Id == applicationId && a.DeletedAt == null && a.Status != ApplicationStatus.Suspended)
            .ExecuteUpdateAsync(a => a.SetProperty(x => x.Status, status), ct);

    /// <summary>Open application pages reload at once (best effort: a Redis outage never fails the run).</summary>
    private void Changed(string applicationId) => changes.Publish(ChangeTopic.Application, applicationId);

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
