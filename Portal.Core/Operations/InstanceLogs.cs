using System.Net;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Portal.Core.Applications;
using Portal.Core.Provisioning;
using Portal.Core.Provisioning.Kubernetes;
using Portal.Core.Workspaces;

namespace Portal.Core.Operations;

/// <summary>
/// An application's instance log for any member of its workspace: the pods of its Deployment, each pod's log read
/// through the pods/log API of its region's cluster (all at once), parsed, filtered and merged by time, newest last.
/// </summary>
public sealed partial class InstanceLogs(
    IDbContextFactory<PortalDbContext> dbFactory, KubernetesClusters clusters, TimeProvider clock, ILogger<InstanceLogs> logger)
{
    /// <summary>How many lines a pod's log is read back when filters drop lines: the filtered tail is found within them.</summary>
    public const int FilteredScanLines = 5000;

    public async Task<Outcome<InstanceLogPage>> ReadAsync(
        string? userId, string applicationId, string? since, string? tail, string? level, string? q, string? pod, CancellationToken cancellationToken)
    {
        var parsed = InstanceLogQuery.Parse(since, tail, level, q, pod, clock.GetUtcNow());
        if (!parsed.Succeeded)
        {
            return parsed.Failure;
        }

        Application application;
        await using (var db = await dbFactory.CreateDbContextAsync(cancellationToken))
        {
            var found = await ApplicationAccess.RequireAsync(db, userId, applicationId, WorkspacePermission.View, cancellationToken);
            if (!found.Succeeded)
            {
                return found.Failure;
            }

            application = found.Value;
        }

        if (application.Status is ApplicationStatus.Deleting or ApplicationStatus.Suspended)
        {
            return Failure.Conflict($"The application is {application.Status.ToString().ToLowerInvariant()}: its instance is stopped and has no log to read.");
        }

        return await ReadAsync(application, parsed.Value, cancellationToken);
    }

    private async Task<Outcome<InstanceLogPage>> ReadAsync(Application application, InstanceLogQuery query, CancellationToken cancellationToken)
    {
        IKubernetes k8s;
        V1PodList pods;
        var ns = TenantNames.Namespace(application.Id);
        try
        {
            k8s = clusters.Get(application.Region);
            pods = await k8s.CoreV1.ListNamespacedPodAsync(ns, labelSelector: "app.kubernetes.io/name=" + InstanceManifests.Name, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
        {
            // Provisioning has not made the namespace yet: no pod, no line.
            return new InstanceLogPage([], []);
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or KeyNotFoundException or InvalidOperationException
                                       && !cancellationToken.IsCancellationRequested)
        {
            LogClusterUnavailable(logger, application.Region, e.Message);
            return Failure.Unavailable($"The cluster of region {application.Region} does not answer now; try again in a moment.");
        }

        var names = pods.Items.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToList();
        var chosen = query.Pod is null ? names : names.Where(n => n == query.Pod).ToList();
        if (query.Pod is not null && chosen.Count == 0)
        {
            return new Failure(FailureCode.NotFound, $"The instance has no pod named '{query.Pod}'; its pods: {string.Join(", ", names)}.", "pod");
        }

        var now = clock.GetUtcNow();
        List<InstanceLogLine>[] read;
        try
        {
            read = await Task.WhenAll(chosen.Select(name => ReadPodAsync(k8s, ns, name, query, now, cancellationToken)));
        }
        catch (Exception e) when (e is HttpOperationException or HttpRequestException or IOException && !cancellationToken.IsCancellationRequested)
        {
            // The cluster answered the pod list, then failed a log (a connection cut, a 5xx): the same as not answering.
            LogClusterUnavailable(logger, application.Region, e.Message);
            return Failure.Unavailable($"The cluster of region {application.Region} does not answer now; try again in a moment.");
        }

        var lines = read.SelectMany(l => l)
            .Where(l => query.Keeps(l) && (query.Since is not { } since || l.Time >= since))
            .OrderBy(l => l.Time).ThenBy(l => l.Pod, StringComparer.Ordinal)
            .ToList();
        return new InstanceLogPage(lines.Count > query.Tail ? lines[^query.Tail..] : lines, names);
    }

    private async Task<List<InstanceLogLine>> ReadPodAsync(IKubernetes k8s, string ns, string pod, InstanceLogQuery query, DateTimeOffset now, CancellationToken cancellationToken)
    {
        int? sinceSeconds = query.Since is { } since ? (int)Math.Clamp(Math.Ceiling((now - since).TotalSeconds), 1, int.MaxValue) : null;
        var lines = new List<InstanceLogLine>();
        try
        {
            await using var stream = await k8s.CoreV1.ReadNamespacedPodLogAsync(
                pod, ns, container: InstanceManifests.Name, sinceSeconds: sinceSeconds, tailLines: query.Filters ? FilteredScanLines : query.Tail,
                timestamps: true, cancellationToken: cancellationToken);
            using var reader = new StreamReader(stream);
            while (await reader.ReadLineAsync(cancellationToken) is { } text)
            {
                if (InstanceLogLine.Parse(pod, text) is { } line)
                {
                    lines.Add(line);
                }
            }
        }
        catch (HttpOperationException e) when (e.Response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.BadRequest)
        {
            // A pod that went away since the list, or whose container has not started: it has nothing to show yet.
            LogPodLogUnavailable(logger, pod, ns, (int)e.Response.StatusCode);
        }

        return lines;
    }

    [LoggerMessage(LogLevel.Warning, "Instance logs: the cluster of region {Region} does not answer: {Reason}")]
    private static partial void LogClusterUnavailable(ILogger logger, string region, string reason);

    [LoggerMessage(LogLevel.Debug, "The log of pod {Pod} in {Namespace} is not available ({Status})")]
    private static partial void LogPodLogUnavailable(ILogger logger, string pod, string @namespace, int status);
}
