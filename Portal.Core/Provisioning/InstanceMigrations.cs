using System.Diagnostics;
using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Portal.Core.Provisioning;

/// <summary>
/// The instance's database migration: a Job named after the image (<see cref="InstanceManifests.MigrationJobName"/>),
/// so that a re-run finds it done. A Job that failed is run again by the next attempt (a retry comes after a fix);
/// a failure reports the Job's reason and the last lines of its pod's log.
/// </summary>
public sealed partial class InstanceMigrations(TransientRetry retry, IOptions<ProvisioningOptions> options, TimeProvider clock, ILogger<InstanceMigrations> logger)
{
    private const int LogLines = 10;
    private const int LogExcerptChars = 600;

    public async Task RunAsync(IKubernetes k8s, InstanceSpec instance, CancellationToken ct)
    {
        var settings = options.Value;
        var manifest = InstanceManifests.MigrationJob(instance);
        var name = manifest.Metadata.Name;
        var ns = instance.Namespace;

        var existing = await ReadAsync(k8s, name, ns, ct);
        if (existing is not null && Finished(existing, "Complete"))
        {
            return;
        }

        if (existing is not null && Finished(existing, "Failed"))
        {
            LogRerun(logger, name, ns);
            await DeleteAsync(k8s, name, ns, ct);
        }

        await retry.RunAsync(c => k8s.ApplyAsync(manifest, c), ct);

        // The Job's own deadline ends it first; this margin covers a cluster that never reports.
        var limit = settings.MigrationTimeout + TimeSpan.FromMinutes(1);
        var elapsed = Stopwatch.StartNew();
        TimeSpan? stuckSince = null;
        while (true)
        {
            var job = await ReadAsync(k8s, name, ns, ct)
                ?? throw new ProvisioningException($"The migration Job {name} disappeared while it ran; retry provisioning.");
            if (Finished(job, "Complete"))
            {
                return;
            }

            if (Condition(job, "Failed") is { Status: "True" } failed)
            {
                var log = await LastLogLinesAsync(k8s, job, ct);
                throw new ProvisioningException(
                    $"The database migration failed ({failed.Reason}: {failed.Message}). "
                    + (log is null ? "" : $"Last lines of its log:\n{log}\n")
                    + "Fix the cause (the database is reachable, the migration is valid for this image), then retry provisioning.");
            }

            // A pod that cannot start (its image cannot be pulled) never fails the Job: only one stuck for a while fails the attempt.
            if (await StuckPodAsync(k8s, job, ct) is { } stuck)
            {
                stuckSince ??= elapsed.Elapsed;
                if (elapsed.Elapsed - stuckSince >= settings.StuckPodGrace)
                {
                    throw new ProvisioningException(
                        $"The database migration's pod {stuck.Pod} cannot start: {stuck.Waiting.Reason}: {stuck.Waiting.Message} " + StuckPods.Hint(stuck.Waiting.Reason));
                }
            }
            else
            {
                stuckSince = null;
            }

            if (elapsed.Elapsed > limit)
            {
                throw new ProvisioningException(
                    $"The database migration did not finish within {settings.MigrationTimeout} ({job.Status?.Active ?? 0} pods running, {job.Status?.Failed ?? 0} failed).");
            }

            await Task.Delay(settings.RolloutPollInterval, clock, ct);
        }
    }

    private Task<V1Job?> ReadAsync(IKubernetes k8s, string name, string ns, CancellationToken ct) =>
        retry.RunAsync(c => KubernetesReads.OrNullAsync(() => k8s.BatchV1.ReadNamespacedJobAsync(name, ns, cancellationToken: c)), ct);

    /// <summary>Deletes the Job with its pods and waits until it is gone, so that the new one starts from nothing.</summary>
    private async Task DeleteAsync(IKubernetes k8s, string name, string ns, CancellationToken ct)
    {
        await retry.RunAsync(async c =>
        {
            try
            {
                await k8s.BatchV1.DeleteNamespacedJobAsync(name, ns, propagationPolicy: "Background", cancellationToken: c);
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Already gone.
            }
        }, ct);

        var elapsed = Stopwatch.StartNew();
        while (await ReadAsync(k8s, name, ns, ct) is not null)
        {
            if (elapsed.Elapsed > options.Value.RolloutTimeout)
            {
                throw new ProvisioningException($"The failed migration Job {name} was not deleted within {options.Value.RolloutTimeout}.");
            }

            await Task.Delay(options.Value.RolloutPollInterval, clock, ct);
        }
    }

    private async Task<(string Pod, V1ContainerStateWaiting Waiting)?> StuckPodAsync(IKubernetes k8s, V1Job job, CancellationToken ct)
    {
        if ((job.Status?.Active ?? 0) == 0)
        {
            return null;
        }

        foreach (var pod in await JobPodsAsync(k8s, job, ct))
        {
            if (StuckPods.Waiting(pod) is { } waiting)
            {
                return (pod.Metadata.Name, waiting);
            }
        }

        return null;
    }

    /// <summary>The Job's pods, newest first.</summary>
    private async Task<List<V1Pod>> JobPodsAsync(IKubernetes k8s, V1Job job, CancellationToken ct)
    {
        var pods = await retry.RunAsync(c => k8s.CoreV1.ListNamespacedPodAsync(job.Metadata.NamespaceProperty,
            labelSelector: "app.kubernetes.io/name=" + InstanceManifests.MigrationName, cancellationToken: c), ct);
        return pods.Items.Where(p => p.Metadata.OwnerReferences?.Any(o => o.Uid == job.Metadata.Uid) == true)
            .OrderByDescending(p => p.Metadata.CreationTimestamp).ThenByDescending(p => p.Metadata.Name, StringComparer.Ordinal).ToList();
    }

    private static V1JobCondition? Condition(V1Job job, string type) => job.Status?.Conditions?.FirstOrDefault(c => c.Type == type);

    private static bool Finished(V1Job job, string type) => Condition(job, type) is { Status: "True" };

    /// <summary>The tail of the log of the Job's last pod; null when there is none to read.</summary>
    private async Task<string?> LastLogLinesAsync(IKubernetes k8s, V1Job job, CancellationToken ct)
    {
        try
        {
            var pod = (await JobPodsAsync(k8s, job, ct)).FirstOrDefault();
            if (pod is null)
            {
                return null;
            }

            var text = await retry.RunAsync(async c =>
            {
                await using var stream = await k8s.CoreV1.ReadNamespacedPodLogAsync(pod.Metadata.Name, pod.Metadata.NamespaceProperty, tailLines: LogLines, cancellationToken: c);
                using var reader = new StreamReader(stream);
                return await reader.ReadToEndAsync(c);
            }, ct);
            text = text.TrimEnd();
            return text.Length > LogExcerptChars ? "…" + text[^LogExcerptChars..] : text;
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException)
        {
            LogNoLog(logger, job.Metadata.Name, e.Message);
            return null;
        }
    }

    [LoggerMessage(LogLevel.Information, "The migration Job {Job} in {Namespace} failed before; it is deleted and run again")]
    private static partial void LogRerun(ILogger logger, string job, string @namespace);

    [LoggerMessage(LogLevel.Warning, "The log of the failed migration Job {Job} could not be read: {Error}")]
    private static partial void LogNoLog(ILogger logger, string job, string error);
}
