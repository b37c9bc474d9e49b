using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// pods/log: the container's lines from its start until now (tailLines, sinceSeconds, sinceTime, timestamps,
/// limitBytes, previous), and with follow=true the new lines as they are written, until the container stops or the
/// client leaves. Lines are computed from the start time, so logs take no memory.
/// </summary>
internal static class PodLogs
{
    // Like the kubelet's log rotation: only so much is kept.
    private const long MaxLines = 10_000;

    private sealed record Source(PodLogContext Context, DateTimeOffset Start, DateTimeOffset? End);

    public static async Task WriteAsync(HttpContext context, ClusterApi api, KubernetesSimulatorOptions options, string ns, string podName)
    {
        var query = context.Request.Query;
        var previous = query["previous"] is { Count: > 0 } p && p[0] is "true" or "1";
        var source = Resolve(api, ns, podName, query["container"], previous);
        var interval = options.LogLineInterval;
        var now = api.Now;
        var timestamps = query["timestamps"] is { Count: > 0 } t && t[0] is "true" or "1";
        var follow = query["follow"] is { Count: > 0 } f && f[0] is "true" or "1";
        var limitBytes = long.TryParse(query["limitBytes"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var lb) ? lb : long.MaxValue;

        var until = source.End is { } end && end < now ? end : now;
        var last = Index(source.Start, until, interval);
        var first = Math.Max(0, last - MaxLines + 1);
        if (long.TryParse(query["tailLines"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var tail) && tail >= 0)
        {
            first = Math.Max(first, last - tail + 1);
        }

        DateTimeOffset? since = long.TryParse(query["sinceSeconds"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var sinceSeconds)
            ? now - TimeSpan.FromSeconds(sinceSeconds)
            : Json.ParseTimestamp(query["sinceTime"]);
        if (since is { } from && from > source.Start)
        {
            first = Math.Max(first, (long)Math.Ceiling((from - source.Start) / interval));
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/plain";
        var written = 0L;
        async Task<bool> WriteLineAsync(long index, CancellationToken cancellationToken)
        {
            var at = source.Start + (interval * index);
            var text = options.LogSource.Line(source.Context, index, at);
            var line = Encoding.UTF8.GetBytes((timestamps ? at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'", CultureInfo.InvariantCulture) + " " : "") + text + "\n");
            if (written + line.Length > limitBytes)
            {
                await context.Response.Body.WriteAsync(line.AsMemory(0, (int)(limitBytes - written)), cancellationToken);
                written = limitBytes;
                return false;
            }

            written += line.Length;
            await context.Response.Body.WriteAsync(line, cancellationToken);
            return true;
        }

        for (var index = first; index <= last; index++)
        {
            if (!await WriteLineAsync(index, context.RequestAborted))
            {
                return;
            }
        }

        if (!follow || previous)
        {
            return;
        }

        await context.Response.Body.FlushAsync(context.RequestAborted);
        var next = last + 1;
        while (!context.RequestAborted.IsCancellationRequested)
        {
            var due = source.Start + (interval * next);
            var wait = due - api.Now;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, options.TimeProvider, context.RequestAborted);
            }

            // The stream ends when the container stops or the pod goes, as kubectl logs -f does.
            var current = TryResolve(api, ns, podName, source.Context.Container);
            if (current is null || current.Start != source.Start || current.End is not null)
            {
                return;
            }

            if (!await WriteLineAsync(next, context.RequestAborted))
            {
                return;
            }

            await context.Response.Body.FlushAsync(context.RequestAborted);
            next++;
        }
    }

    private static long Index(DateTimeOffset start, DateTimeOffset at, TimeSpan interval) =>
        at < start ? -1 : (long)Math.Floor((at - start) / interval);

    private static Source? TryResolve(ClusterApi api, string ns, string podName, string container)
    {
        try
        {
            return Resolve(api, ns, podName, container, previous: false);
        }
        catch (KubernetesApiException)
        {
            return null;
        }
    }

    private static Source Resolve(ClusterApi api, string ns, string podName, string? container, bool previous)
    {
        var pod = api.Get(ResourceTypes.Pods, ns, podName).Object;
        var containers = pod.Array("spec", "containers")?.OfType<JsonObject>().ToList() ?? [];
        JsonObject spec;
        if (string.IsNullOrEmpty(container))
        {
            if (containers.Count != 1)
            {
                throw KubernetesApiException.BadRequest($"a container name must be specified for pod {podName}, choose one of: [{string.Join(" ", containers.Select(c => c.String("name")))}]");
            }

            spec = containers[0];
        }
        else
        {
            spec = containers.FirstOrDefault(c => c.String("name") == container)
                ?? throw KubernetesApiException.BadRequest($"container {container} is not valid for pod {podName}");
        }

        var name = spec.String("name")!;
        var status = pod.Array("status", "containerStatuses")?.OfType<JsonObject>().FirstOrDefault(s => s.String("name") == name);
        var context = new PodLogContext(ns, podName, name, spec.String("image") ?? "");
        if (previous)
        {
            var terminated = status.Object("lastState", "terminated")
                ?? throw KubernetesApiException.BadRequest($"previous terminated container \"{name}\" in pod \"{podName}\" not found");
            return new Source(context, Json.ParseTimestamp(terminated.String("startedAt")) ?? api.Now,
                Json.ParseTimestamp(terminated.String("finishedAt")));
        }

        if (status.Object("state", "running") is { } running)
        {
            return new Source(context, Json.ParseTimestamp(running.String("startedAt")) ?? api.Now, null);
        }

        if (status.Object("state", "terminated") is { } done)
        {
            return new Source(context, Json.ParseTimestamp(done.String("startedAt")) ?? api.Now, Json.ParseTimestamp(done.String("finishedAt")));
        }

        var reason = status.String("state", "waiting", "reason") ?? "ContainerCreating";
        var why = reason is "ErrImagePull" or "ImagePullBackOff" ? "trying and failing to pull image" : reason;
        throw KubernetesApiException.BadRequest($"container \"{name}\" in pod \"{podName}\" is waiting to start: {why}");
    }
}
