using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The HTTP side of one simulated cluster: authentication, fault injection, discovery, and the REST paths of the
/// resources (<c>/api/v1/namespaces/{ns}/pods/{name}/log</c>, <c>/apis/apps/v1/…/deployments/{name}/scale</c>, …),
/// with list, watch (newline-delimited JSON events), the patch formats and pod logs.
/// </summary>
internal sealed class ApiServer(ClusterApi api, SimulatorFaults faults, KubernetesSimulatorOptions options, string token)
{
    private static readonly byte[] EventEnd = "}\n"u8.ToArray();

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if (path.Length > 1)
        {
            path = path.TrimEnd('/');
        }

        try
        {
            var readOnly = Authenticate(context, path);
            if (path.StartsWith("/_simulator", StringComparison.Ordinal))
            {
                await AdminAsync(context, path);
                return;
            }

            await ServeAsync(context, path, readOnly);
        }
        catch (KubernetesApiException e)
        {
            await WriteStatusAsync(context, e);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away (a watch or a followed log it stopped reading).
        }
    }

    // Returns whether the caller may only read. A wrong token is 401 like a real API server; no token is the
    // anonymous user, whom RBAC forbids everything (403).
    private bool Authenticate(HttpContext context, string path)
    {
        var header = context.Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            if (path is "/version" or "/healthz" or "/livez" or "/readyz")
            {
                return true;
            }

            throw new KubernetesApiException(403, "Forbidden", $"forbidden: User \"system:anonymous\" cannot get path \"{path}\"", []);
        }

        var presented = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : "";
        if (FixedTimeEquals(presented, token))
        {
            return false;
        }

        if (options.ReadOnlyToken is { Length: > 0 } readOnly && FixedTimeEquals(presented, readOnly))
        {
            return true;
        }

        throw new KubernetesApiException(401, "Unauthorized", "Unauthorized");
    }

    private static bool FixedTimeEquals(string a, string b) =>
        System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    private async Task AdminAsync(HttpContext context, string path)
    {
        if (path != "/_simulator/faults")
        {
            throw new KubernetesApiException(404, "NotFound", "the server could not find the requested resource");
        }

        switch (context.Request.Method)
        {
            case "GET":
                await WriteJsonAsync(context, 200, faults.Describe());
                break;
            case "POST":
                await WriteJsonAsync(context, 200, faults.Apply(Json.ParseObject(await ReadBodyAsync(context))));
                break;
            case "DELETE":
                faults.Clear();
                await WriteJsonAsync(context, 200, faults.Describe());
                break;
            default:
                throw KubernetesApiException.MethodNotAllowed();
        }
    }

    private async Task ServeAsync(HttpContext context, string path, bool readOnly)
    {
        switch (path)
        {
            case "/version":
                await WriteJsonAsync(context, 200, Discovery.Version());
                return;
            case "/healthz" or "/livez" or "/readyz":
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync("ok");
                return;
            case "/api":
                await WriteJsonAsync(context, 200, Discovery.CoreVersions($"{context.Request.Host}"));
                return;
            case "/apis":
                await WriteJsonAsync(context, 200, Discovery.Groups());
                return;
            case "/openapi/v3":
                await WriteBytesAsync(context, OpenApi.Index);
                return;
        }

        if (path.StartsWith("/openapi/v3/", StringComparison.Ordinal))
        {
            await WriteBytesAsync(context, OpenApi.Document(path["/openapi/v3/".Length..]) ?? throw NotFoundPath());
            return;
        }

        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        string group, version;
        int rest;
        if (segments.Length >= 2 && segments[0] == "api")
        {
            (group, version, rest) = ("", segments[1], 2);
        }
        else if (segments.Length >= 2 && segments[0] == "apis")
        {
            if (segments.Length == 2)
            {
                await WriteJsonAsync(context, 200, Discovery.GroupDocument(segments[1]) ?? throw NotFoundPath());
                return;
            }

            (group, version, rest) = (segments[1], segments[2], 3);
        }
        else
        {
            throw NotFoundPath();
        }

        if (segments.Length == rest)
        {
            await WriteJsonAsync(context, 200, Discovery.Resources(group, version) ?? throw NotFoundPath());
            return;
        }

        var request = ParseResourcePath(group, version, segments[rest..], context);
        var verb = Verb(context.Request.Method, request);
        if (readOnly && verb is not ("get" or "list" or "watch"))
        {
            var where = request.Namespace is { Length: > 0 } n ? $" in the namespace \"{n}\"" : " at the cluster scope";
            throw new KubernetesApiException(403, "Forbidden",
                $"{request.Type.QualifiedPlural} is forbidden: User \"simulator-read-only\" cannot {verb} resource \"{request.Type.Plural}\" in API group \"{request.Type.Group}\"{where}",
                new JsonObject { ["name"] = request.Name, ["group"] = request.Type.Group, ["kind"] = request.Type.Plural });
        }

        var resource = request.Subresource is null ? request.Type.Plural : $"{request.Type.Plural}/{request.Subresource}";
        var (latency, failure) = faults.Next(verb, resource, request.Namespace);
        if (latency > TimeSpan.Zero)
        {
            faults.Holding(1);
            try
            {
                await Task.Delay(latency, options.TimeProvider, context.RequestAborted);
            }
            finally
            {
                faults.Holding(-1);
            }
        }

        if (failure is not null)
        {
            throw failure;
        }

        // Protobuf and CBOR bodies are not simulated. kubectl's typed commands (create namespace, create deployment,
        // create configmap, run, expose) send protobuf and do not fall back, so the message says what works instead.
        if (context.Request.ContentType is { } contentType && (contentType.Contains("protobuf", StringComparison.Ordinal) || contentType.Contains("cbor", StringComparison.Ordinal)))
        {
            throw new KubernetesApiException(415, "UnsupportedMediaType",
                $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml; got {contentType}"
                + " (the Kubernetes simulator does not decode protobuf, which kubectl create/run/expose send: write the object as YAML and apply it,"
                + " e.g. kubectl create namespace x --dry-run=client -o yaml | kubectl apply -f -)");
        }

        await DispatchAsync(context, request, verb);
    }

    private static KubernetesApiException NotFoundPath() =>
        new(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    private sealed record ResourceRequest(ResourceType Type, string? Namespace, string? Name, string? Subresource, bool Watch);

    private static ResourceRequest ParseResourcePath(string group, string version, string[] parts, HttpContext context)
    {
        var watch = false;
        if (parts[0] == "watch")
        {
            watch = true;
            parts = parts[1..];
        }

        string? ns = null;
        // namespaces/{ns}/{plural}/… addresses namespaced resources; namespaces/{name}[/status] is the namespace itself.
        if (parts.Length >= 3 && parts[0] == "namespaces" && ResourceTypes.Find(group, version, parts[2]) is { Namespaced: true })
        {
            ns = parts[1];
            parts = parts[2..];
        }

        var type = parts.Length > 0 ? ResourceTypes.Find(group, version, parts[0]) : null;
        if (type is null || parts.Length > 3 || (ns is null && type.Namespaced && parts.Length > 1))
        {
            throw NotFoundPath();
        }

        var name = parts.Length > 1 ? parts[1] : null;
        var subresource = parts.Length > 2 ? parts[2] : null;
        if (subresource is not null && !type.Subresources.Contains(subresource))
        {
            throw NotFoundPath();
        }

        watch |= context.Request.Query["watch"] is { Count: > 0 } w && w[0] is "true" or "1";
        return new ResourceRequest(type, ns, name, subresource, watch);
    }

    private static string Verb(string method, ResourceRequest request) => method switch
    {
        "GET" when request.Watch => "watch",
        "GET" => request.Name is null ? "list" : "get",
        "POST" => "create",
        "PUT" => "update",
        "PATCH" => "patch",
        "DELETE" => request.Name is null ? "deletecollection" : "delete",
        _ => throw KubernetesApiException.MethodNotAllowed(),
    };

    private async Task DispatchAsync(HttpContext context, ResourceRequest request, string verb)
    {
        var query = context.Request.Query;
        var type = request.Type;
        var ns = request.Namespace ?? "";
        var manager = FieldManager(context);
        if (!type.Verbs.Contains(verb) && request.Subresource is null && verb != "watch")
        {
            throw KubernetesApiException.MethodNotAllowed();
        }

        switch (verb, request.Subresource)
        {
            case ("get", "log"):
                await PodLogs.WriteAsync(context, api, options, ns, request.Name!);
                return;
            case ("get", "scale"):
                await WriteJsonAsync(context, 200, ClusterApi.Scale(api.Get(type, ns, request.Name!)));
                return;
            case ("update", "scale"):
                {
                    var body = Json.ParseObject(await ReadBodyAsync(context));
                    var updated = api.WriteScale(type, ns, request.Name!, _ => body, manager);
                    await WriteJsonAsync(context, 200, ClusterApi.Scale(updated));
                    return;
                }

            case ("patch", "scale"):
                {
                    var body = await ReadBodyAsync(context);
                    var contentType = context.Request.ContentType ?? "";
                    var updated = api.WriteScale(type, ns, request.Name!, scale => contentType.StartsWith("application/json-patch+json", StringComparison.Ordinal)
                        ? (JsonObject)Patches.ApplyJsonPatch(scale, JsonNode.Parse(body) as JsonArray ?? [])
                        : (JsonObject)Patches.MergePatch(scale, Json.ParseObject(body))!, manager);
                    await WriteJsonAsync(context, 200, ClusterApi.Scale(updated));
                    return;
                }

            case ("get", _):
                await WriteObjectAsync(context, 200, api.Get(type, ns, request.Name!));
                return;
            case ("list", _):
                {
                    var result = api.List(type, request.Namespace, LabelSelector.Parse(query["labelSelector"]), FieldSelector.Parse(query["fieldSelector"], type),
                        int.TryParse(query["limit"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var limit) ? limit : null, query["continue"]);
                    await WriteListAsync(context, type, result);
                    return;
                }

            case ("watch", _):
                await WatchAsync(context, request);
                return;
            case ("create", null):
                {
                    var validation = FieldValidation.Parse(query["fieldValidation"]);
                    var body = Json.ParseObject(await ReadBodyAsync(context));
                    var created = Write(context, () => api.Create(type, request.Namespace, body, manager, validation: validation));
                    AddWarnings(context, validation);
                    await WriteObjectAsync(context, 201, created);
                    return;
                }

            case ("update", null or "status" or "finalize"):
                {
                    var body = Json.ParseObject(await ReadBodyAsync(context));
                    var validation = FieldValidation.Parse(query["fieldValidation"]);
                    var updated = Write(context, () => api.Update(type, ns, request.Name!, body, manager, request.Subresource == "finalize" ? null : request.Subresource, validation));
                    AddWarnings(context, validation);
                    await WriteObjectAsync(context, 200, updated);
                    return;
                }

            case ("patch", null or "status"):
                {
                    var existed = request.Name is not null && ExistsNow(type, ns, request.Name);
                    var validation = FieldValidation.Parse(query["fieldValidation"]);
                    var body = await ReadBodyAsync(context);
                    var force = query["force"] is { Count: > 0 } f && f[0] is "true" or "1";
                    var patched = Write(context, () => api.Patch(type, ns, request.Name!, context.Request.ContentType ?? "", body, manager, force, request.Subresource, validation));
                    AddWarnings(context, validation);
                    await WriteObjectAsync(context, existed ? 200 : 201, patched);
                    return;
                }

            case ("delete", null):
                {
                    var deleteOptions = await ReadDeleteOptionsAsync(context);
                    var (deleted, removed) = Write(context, () => api.Delete(type, ns, request.Name!, deleteOptions), deleteOptions.DryRun);
                    // Like the API server's registries: pods and services answer with the deleted object, the rest with a Status.
                    if (!removed || type == ResourceTypes.Pods || type == ResourceTypes.Services)
                    {
                        await WriteObjectAsync(context, removed ? 200 : 202, deleted);
                    }
                    else
                    {
                        var details = new JsonObject { ["name"] = deleted.Name };
                        if (type.Group.Length > 0)
                        {
                            details["group"] = type.Group;
                        }

                        details["kind"] = type.Plural;
                        details["uid"] = deleted.Uid;
                        await WriteJsonAsync(context, 200, new JsonObject
                        {
                            ["kind"] = "Status",
                            ["apiVersion"] = "v1",
                            ["metadata"] = new JsonObject(),
                            ["status"] = "Success",
                            ["details"] = details,
                        });
                    }

                    return;
                }

            case ("deletecollection", null):
                {
                    var deleteOptions = await ReadDeleteOptionsAsync(context);
                    var deleted = Write(context, () => api.DeleteCollection(type, ns, LabelSelector.Parse(query["labelSelector"]), FieldSelector.Parse(query["fieldSelector"], type), deleteOptions), deleteOptions.DryRun);
                    await WriteListAsync(context, type, new ListResult(deleted, api.Store.ResourceVersion, null, null));
                    return;
                }

            default:
                throw KubernetesApiException.MethodNotAllowed();
        }
    }

    // dryRun=All (kubectl diff, --dry-run=server) runs the write with the store set to keep nothing.
    private T Write<T>(HttpContext context, Func<T> write, IReadOnlyList<string>? bodyDryRun = null)
    {
        var dryRun = context.Request.Query["dryRun"].Select(v => v ?? "").Concat(bodyDryRun ?? []).ToList();
        if (dryRun.Count == 0)
        {
            return write();
        }

        if (dryRun.FirstOrDefault(v => v != "All") is { } unsupported)
        {
            throw KubernetesApiException.BadRequest($"dryRun: Unsupported value: \"{unsupported}\": supported values: \"All\"");
        }

        lock (api.Store.Gate)
        {
            api.Store.DryRun = true;
            try
            {
                return write();
            }
            finally
            {
                api.Store.DryRun = false;
            }
        }
    }

    // The standard warning header (RFC 7234 code 299), which kubectl prints as "Warning: …".
    private static void AddWarnings(HttpContext context, FieldValidation validation)
    {
        foreach (var warning in validation.Warnings)
        {
            context.Response.Headers.Append("Warning", $"299 - \"{warning.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)}\"");
        }
    }

    private bool ExistsNow(ResourceType type, string ns, string name)
    {
        lock (api.Store.Gate)
        {
            return api.Store.Get(type, ns, name) is not null;
        }
    }

    // The API server's default field manager is the client's user agent up to the first '/'.
    private static string FieldManager(HttpContext context)
    {
        if (context.Request.Query["fieldManager"] is { Count: > 0 } manager && manager[0] is { Length: > 0 } name)
        {
            return name;
        }

        var agent = context.Request.Headers.UserAgent.ToString();
        var slash = agent.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? agent[..slash] : agent.Length > 0 ? agent : "unknown";
    }

    private static async Task<DeleteOptions> ReadDeleteOptionsAsync(HttpContext context)
    {
        var body = await ReadBodyAsync(context);
        var json = body.Length > 0 ? Json.ParseObject(body) : [];
        var propagation = context.Request.Query["propagationPolicy"] is { Count: > 0 } p ? p[0] : json.String("propagationPolicy");
        if (propagation is null && json.Bool("orphanDependents") is { } orphan)
        {
            propagation = orphan ? "Orphan" : "Background";
        }

        return new DeleteOptions(propagation, json.String("preconditions", "uid"), json.String("preconditions", "resourceVersion"))
        {
            DryRun = json.Array("dryRun")?.Select(v => v?.ToString() ?? "").ToList() ?? [],
        };
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
        return buffer.ToArray();
    }

    private async Task WatchAsync(HttpContext context, ResourceRequest request)
    {
        var query = context.Request.Query;
        var labels = LabelSelector.Parse(query["labelSelector"]);
        var fields = FieldSelector.Parse(query["fieldSelector"], request.Type);
        long? from = long.TryParse(query["resourceVersion"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var rv) ? rv : null;
        var bookmarks = query["allowWatchBookmarks"] is { Count: > 0 } b && b[0] is "true" or "1";
        var timeout = int.TryParse(query["timeoutSeconds"], NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(30);
        var selectByName = request.Name is not null ? FieldSelector.Parse($"metadata.name={request.Name}", request.Type) : null;

        WatchSubscription subscription;
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        try
        {
            lock (api.Store.Gate)
            {
                subscription = api.Store.Subscribe(request.Type, request.Namespace, labels, selectByName ?? fields, from);
            }
        }
        catch (KubernetesApiException e) when (e.Code == 410)
        {
            // A real API server answers a watch from a compacted version with 200 and one ERROR event.
            await WriteEventAsync(context, "ERROR", Json.Serialize(e.ToStatus()));
            return;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, subscription.Dropped.Token);
        stop.CancelAfter(timeout);
        try
        {
            await context.Response.StartAsync(stop.Token);
            await context.Response.Body.FlushAsync(stop.Token);
            while (!stop.IsCancellationRequested)
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(stop.Token);
                if (bookmarks)
                {
                    wait.CancelAfter(options.BookmarkInterval);
                }

                WatchMessage message;
                try
                {
                    message = await subscription.Messages.ReadAsync(wait.Token);
                }
                catch (OperationCanceledException) when (!stop.IsCancellationRequested)
                {
                    var bookmark = new JsonObject
                    {
                        ["kind"] = request.Type.Kind,
                        ["apiVersion"] = request.Type.ApiVersion,
                        ["metadata"] = new JsonObject { ["resourceVersion"] = api.Store.ResourceVersion.ToString(CultureInfo.InvariantCulture) },
                    };
                    await WriteEventAsync(context, "BOOKMARK", Json.Serialize(bookmark), stop.Token);
                    continue;
                }
                catch (System.Threading.Channels.ChannelClosedException)
                {
                    break;
                }

                await WriteEventAsync(context, message.Type, message.Object, stop.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Timeout, a dropped stream or the client leaving: the response just ends, as a real watch does.
        }
        finally
        {
            lock (api.Store.Gate)
            {
                api.Store.Unsubscribe(subscription);
            }
        }
    }

    private static async Task WriteEventAsync(HttpContext context, string type, byte[] obj, CancellationToken cancellationToken = default)
    {
        var head = Encoding.UTF8.GetBytes($"{{\"type\":\"{type}\",\"object\":");
        var body = context.Response.Body;
        await body.WriteAsync(head, cancellationToken);
        await body.WriteAsync(obj, cancellationToken);
        await body.WriteAsync(EventEnd, cancellationToken);
        await body.FlushAsync(cancellationToken);
    }

    private static async Task WriteListAsync(HttpContext context, ResourceType type, ListResult result)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(4096 + result.Items.Sum(i => i.Json.Length + 1));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("kind", type.Kind + "List");
            writer.WriteString("apiVersion", type.ApiVersion);
            writer.WriteStartObject("metadata");
            writer.WriteString("resourceVersion", result.ResourceVersion.ToString(CultureInfo.InvariantCulture));
            if (result.Continue is not null)
            {
                writer.WriteString("continue", result.Continue);
            }

            if (result.RemainingItemCount is { } remaining)
            {
                writer.WriteNumber("remainingItemCount", remaining);
            }

            writer.WriteEndObject();
            writer.WriteStartArray("items");
            foreach (var item in result.Items)
            {
                writer.WriteRawValue(item.Json, skipInputValidation: true);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory);
    }

    private static async Task WriteObjectAsync(HttpContext context, int status, StoredObject obj)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = obj.Json.Length;
        await context.Response.Body.WriteAsync(obj.Json);
    }

    private static async Task WriteBytesAsync(HttpContext context, byte[] json)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = json.Length;
        await context.Response.Body.WriteAsync(json);
    }

    public static async Task WriteJsonAsync(HttpContext context, int status, JsonNode json)
    {
        var bytes = Json.Serialize(json);
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }

    private static async Task WriteStatusAsync(HttpContext context, KubernetesApiException e)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        if (e.RetryAfterSeconds is { } retryAfter)
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        }

        await WriteJsonAsync(context, e.Code, e.ToStatus());
    }
}
