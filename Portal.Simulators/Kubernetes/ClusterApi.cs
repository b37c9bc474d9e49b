using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The API server's semantics over the store: metadata bookkeeping, defaults, validation, admission (namespace
/// lifecycle, limit ranges, quotas), optimistic concurrency, the patch formats, server-side apply and deletion with
/// propagation. HTTP requests and the simulated controllers both go through it, as real controllers go through the
/// API server.
/// </summary>
internal sealed class ClusterApi(ObjectStore store, TimeProvider time)
{
    private const string NameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

    // The simulated control plane's own writes (tens per pod) keep whatever managedFields the object had: tracking
    // their ownership would cost more than the rest of a write and no client code reads it.
    private static readonly HashSet<string> ControlPlaneManagers =
    [
        "kubelet", "kube-scheduler", "default-scheduler", "kube-controller-manager", "kube-apiserver", "kube-root-ca-cert-publisher",
        "replicaset-controller", "deployment-controller", "job-controller",
    ];
    private int _nextServiceIp = 10;

    public ObjectStore Store { get; } = store;

    public TimeProvider Time { get; } = time;

    public DateTimeOffset Now => Time.GetUtcNow();

    public static string RandomSuffix(int length = 5) =>
        string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = NameAlphabet[Random.Shared.Next(NameAlphabet.Length)];
            }
        });

    public StoredObject Get(ResourceType type, string ns, string name)
    {
        lock (Store.Gate)
        {
            return Store.Get(type, ns, name) ?? throw KubernetesApiException.NotFound(type, name);
        }
    }

    public ListResult List(ResourceType type, string? ns, LabelSelector labels, FieldSelector fields, int? limit, string? continueToken)
    {
        lock (Store.Gate)
        {
            string? after = null;
            if (!string.IsNullOrEmpty(continueToken))
            {
                (var tokenVersion, after) = DecodeContinue(continueToken);
                if (tokenVersion < Store.CompactedResourceVersion)
                {
                    throw KubernetesApiException.Gone(
                        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");
                }
            }

            var items = new List<StoredObject>();
            string? next = null;
            long remaining = 0;
            foreach (var obj in Store.List(type, ns))
            {
                if (after is not null && string.CompareOrdinal(Key(obj), after) <= 0)
                {
                    continue;
                }

                if (!labels.Matches(obj) || !fields.Matches(obj))
                {
                    continue;
                }

                if (limit is > 0 && items.Count >= limit)
                {
                    remaining++;
                    continue;
                }

                items.Add(obj);
            }

            if (remaining > 0)
            {
                next = EncodeContinue(Store.ResourceVersion, Key(items[^1]));
            }

            return new ListResult(items, Store.ResourceVersion, next, remaining > 0 ? remaining : null);
        }
    }

    private static string Key(StoredObject obj) => obj.Namespace + "/" + obj.Name;

    private static string EncodeContinue(long resourceVersion, string key) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = resourceVersion, ["start"] = key + "\0" }.ToJsonString()));

    private static (long ResourceVersion, string After) DecodeContinue(string token)
    {
        try
        {
            var json = JsonNode.Parse(Convert.FromBase64String(token));
            return (json.Long("rv") ?? 0, (json.String("start") ?? "").TrimEnd('\0'));
        }
        catch (Exception e) when (e is FormatException or System.Text.Json.JsonException)
        {
            throw KubernetesApiException.BadRequest("continue key is not valid: illegal base64 data");
        }
    }

    public StoredObject Create(ResourceType type, string? ns, JsonObject body, string manager, JsonArray? appliedManagedFields = null, FieldValidation? validation = null)
    {
        lock (Store.Gate)
        {
            CheckKind(type, body);
            validation?.Check(type, body, null, decoding: true);
            var metadata = body.Metadata();
            ns = ResolveNamespace(type, ns, body);
            if (string.IsNullOrEmpty(metadata.String("name")) && metadata.String("generateName") is { Length: > 0 } prefix)
            {
                metadata["name"] = prefix + RandomSuffix();
            }

            var name = body.Name();
            if (metadata.String("resourceVersion") is { Length: > 0 })
            {
                throw KubernetesApiException.BadRequest("resourceVersion should not be set on objects to be created");
            }

            if (Store.Get(type, ns, name) is not null)
            {
                throw KubernetesApiException.AlreadyExists(type, name);
            }

            if (type.Namespaced)
            {
                var owner = Store.Get(ResourceTypes.Namespaces, "", ns) ?? throw KubernetesApiException.NotFound(ResourceTypes.Namespaces, ns);
                if (owner.Object.IsBeingDeleted() && type != ResourceTypes.Events)
                {
                    throw KubernetesApiException.Forbidden(type, name, $"unable to create new content in namespace {ns} because it is being terminated",
                        [new JsonObject { ["reason"] = "NamespaceTerminating", ["message"] = $"namespace {ns} is being terminated", ["field"] = "metadata.namespace" }]);
                }
            }

            foreach (var serverField in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "generation", "selfLink", "managedFields" })
            {
                metadata.Remove(serverField);
            }

            var now = Now;
            metadata["uid"] = Guid.NewGuid().ToString();
            metadata["creationTimestamp"] = Json.Timestamp(now);
            if (type.HasStatus)
            {
                body.Remove("status");
            }

            PrepareForCreate(type, ns, body);
            ObjectDefaults.Apply(type, body);
            ObjectValidation.Validate(type, body);
            if (type.Namespaced)
            {
                Admission.Admit(Store, type, ns, body);
            }

            if (appliedManagedFields is not null)
            {
                metadata["managedFields"] = appliedManagedFields;
            }
            else if (!ControlPlaneManagers.Contains(manager))
            {
                ManagedFields.RecordUpdate(body, null, manager, type.ApiVersion, null, now);
            }

            if (body["spec"] is not null)
            {
                metadata["generation"] = 1;
            }

            metadata["resourceVersion"] = Store.NextResourceVersion().ToString(CultureInfo.InvariantCulture);
            return Store.Put(type, Reorder(body));
        }
    }

    private void PrepareForCreate(ResourceType type, string ns, JsonObject body)
    {
        switch (type.Kind)
        {
            case "Namespace":
                body["status"] = new JsonObject { ["phase"] = "Active" };
                break;
            case "Pod":
                var spec = body.Ensure("spec");
                spec["serviceAccountName"] ??= "default";
                spec["serviceAccount"] ??= spec["serviceAccountName"]!.DeepClone();
                Admission.ApplyLimitRanges(Store, ns, spec);
                body["status"] = new JsonObject { ["phase"] = "Pending", ["qosClass"] = QosClass(spec) };
                break;
            case "Service":
                var serviceSpec = body.Ensure("spec");
                if (serviceSpec.String("type") != "ExternalName" && serviceSpec.String("clusterIP") is null or "")
                {
                    var ip = $"10.96.{(_nextServiceIp / 250) % 256}.{(_nextServiceIp % 250) + 2}";
                    _nextServiceIp++;
                    serviceSpec["clusterIP"] = ip;
                    serviceSpec["clusterIPs"] = new JsonArray(ip);
                }

                if (serviceSpec.String("type") is "NodePort" or "LoadBalancer")
                {
                    foreach (var port in serviceSpec.Array("ports")?.OfType<JsonObject>() ?? [])
                    {
                        port["nodePort"] ??= 30000 + Random.Shared.Next(2768);
                    }
                }

                body["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
                break;
            case "Job":
                // The job controller's own selector, unless the client chose one (manualSelector).
                var jobSpec = body.Ensure("spec");
                if (jobSpec.Bool("manualSelector") != true)
                {
                    var uid = body.Uid();
                    var name = body.Name();
                    jobSpec["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["batch.kubernetes.io/controller-uid"] = uid } };
                    var labels = jobSpec.Ensure("template", "metadata", "labels");
                    labels["batch.kubernetes.io/controller-uid"] = uid;
                    labels["batch.kubernetes.io/job-name"] = name;
                    labels["controller-uid"] = uid;
                    labels["job-name"] = name;
                }

                break;
        }
    }

    private static string QosClass(JsonObject spec)
    {
        var containers = spec.Array("containers")?.OfType<JsonObject>().ToList() ?? [];
        var anyResources = containers.Any(c => c.Object("resources", "requests")?.Count > 0 || c.Object("resources", "limits")?.Count > 0);
        if (!anyResources)
        {
            return "BestEffort";
        }

        var guaranteed = containers.All(c =>
        {
            var limits = c.Object("resources", "limits");
            var requests = c.Object("resources", "requests") ?? limits;
            return limits is not null && limits.ContainsKey("cpu") && limits.ContainsKey("memory")
                && Quantity.Parse(limits.String("cpu")) == Quantity.Parse(requests.String("cpu") ?? limits.String("cpu"))
                && Quantity.Parse(limits.String("memory")) == Quantity.Parse(requests.String("memory") ?? limits.String("memory"));
        });
        return guaranteed ? "Guaranteed" : "Burstable";
    }

    public StoredObject Update(ResourceType type, string ns, string name, JsonObject body, string manager, string? subresource, FieldValidation? validation = null)
    {
        lock (Store.Gate)
        {
            CheckKind(type, body);
            if (body.Name() is { Length: > 0 } bodyName && bodyName != name)
            {
                throw KubernetesApiException.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})");
            }

            ResolveNamespace(type, ns, body);
            body.Metadata()["name"] = name;
            var existing = Store.Get(type, ns, name) ?? throw KubernetesApiException.NotFound(type, name);
            if (body.String("metadata", "resourceVersion") is { Length: > 0 } expected && expected != existing.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw KubernetesApiException.Conflict(type, name);
            }

            validation?.Check(type, body, existing.Object, decoding: true);
            return Commit(type, existing, body, manager, subresource, appliedManagedFields: false);
        }
    }

    public StoredObject Patch(ResourceType type, string ns, string name, string contentType, byte[] body, string manager, bool force, string? subresource, FieldValidation? validation = null)
    {
        lock (Store.Gate)
        {
            var mediaType = contentType.Split(';')[0].Trim().ToLowerInvariant();
            var existing = Store.Get(type, ns, name);
            if (mediaType == "application/apply-patch+yaml")
            {
                return Apply(type, ns, name, existing, ApplyBody(body), manager, force, subresource, validation);
            }

            if (existing is null)
            {
                throw KubernetesApiException.NotFound(type, name);
            }

            var patched = mediaType switch
            {
                "application/json-patch+json" => Patches.ApplyJsonPatch(existing.Object.Clone(), ParseArray(body)) as JsonObject
                    ?? throw KubernetesApiException.BadRequest("the patch does not produce an object"),
                "application/merge-patch+json" => (JsonObject)Patches.MergePatch(existing.Object.Clone(), Json.ParseObject(body))!,
                "application/strategic-merge-patch+json" => Patches.StrategicMergePatch(existing.Object.Clone(), Json.ParseObject(body)),
                _ => throw KubernetesApiException.UnsupportedMediaType(contentType),
            };
            if (patched.String("metadata", "resourceVersion") is { Length: > 0 } expected && expected != existing.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw KubernetesApiException.Conflict(type, name);
            }

            if (patched.Name() != name)
            {
                throw KubernetesApiException.BadRequest($"the name of the object ({patched.Name()}) does not match the name on the URL ({name})");
            }

            validation?.Check(type, patched, existing.Object, decoding: false);
            return Commit(type, existing, patched, manager, subresource, appliedManagedFields: false);
        }
    }

    private StoredObject Apply(ResourceType type, string ns, string name, StoredObject? existing, JsonObject applied, string manager, bool force, string? subresource, FieldValidation? validation)
    {
        if (string.IsNullOrEmpty(manager))
        {
            throw KubernetesApiException.BadRequest("PATCH, application/apply-patch+yaml: fieldManager is required");
        }

        CheckKind(type, applied, required: true);
        if (applied.Name() != name)
        {
            throw KubernetesApiException.BadRequest($"the name of the object ({applied.Name()}) does not match the name on the URL ({name})");
        }

        ResolveNamespace(type, ns, applied);
        validation?.Check(type, applied, existing?.Object, decoding: false);
        if (existing is null)
        {
            // The applier owns what it applied (an Apply entry), not an Update entry as for a plain create.
            var created = ManagedFields.Apply(null, applied, manager, force, type, Now);
            return Create(type, ns, created, manager, created.Array("metadata", "managedFields")?.DeepClone() as JsonArray);
        }

        var merged = ManagedFields.Apply(existing.Object, applied, manager, force, type, Now);
        return Commit(type, existing, merged, manager, subresource, appliedManagedFields: true);
    }

    private static JsonObject ApplyBody(byte[] body)
    {
        try
        {
            return Json.ParseObject(body);
        }
        catch (KubernetesApiException)
        {
            return YamlToJson(body);
        }
    }

    // Apply patches are YAML; JSON (what KubernetesClient sends) is YAML too, and is the fast path above.
    private static JsonObject YamlToJson(byte[] body)
    {
        try
        {
            var yaml = new YamlDotNet.Serialization.DeserializerBuilder().Build().Deserialize<object>(Encoding.UTF8.GetString(body));
            var json = new YamlDotNet.Serialization.SerializerBuilder().JsonCompatible().Build().Serialize(yaml);
            return Json.ParseObject(Encoding.UTF8.GetBytes(json));
        }
        catch (YamlDotNet.Core.YamlException e)
        {
            throw KubernetesApiException.BadRequest($"error decoding YAML: {e.Message}");
        }
    }

    private static JsonArray ParseArray(byte[] body)
    {
        try
        {
            return JsonNode.Parse(body) as JsonArray ?? throw KubernetesApiException.BadRequest("a JSON patch must be an array of operations");
        }
        catch (System.Text.Json.JsonException e)
        {
            throw KubernetesApiException.BadRequest($"the request body is not valid JSON: {e.Message}");
        }
    }

    /// <summary>Writes a new version of an existing object: the common end of update, patch, apply and status writes.</summary>
    public StoredObject Commit(ResourceType type, StoredObject existing, JsonObject candidate, string manager, string? subresource, bool appliedManagedFields)
    {
        var old = existing.Object;
        var metadata = candidate.Metadata();
        foreach (var kept in new[] { "uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "namespace", "generation" })
        {
            if (old.Object("metadata")![kept] is { } value)
            {
                metadata[kept] = value.DeepClone();
            }
            else
            {
                metadata.Remove(kept);
            }
        }

        candidate["apiVersion"] = type.ApiVersion;
        candidate["kind"] = type.Kind;
        if (subresource == "status")
        {
            // A status write changes the status only.
            var status = candidate["status"]?.DeepClone();
            var rebuilt = old.Clone();
            rebuilt["status"] = status;
            candidate = rebuilt;
            metadata = candidate.Metadata();
        }
        else if (type.HasStatus)
        {
            candidate["status"] = old["status"]?.DeepClone();
            if (candidate["status"] is null)
            {
                candidate.Remove("status");
            }
        }

        var controlPlane = ControlPlaneManagers.Contains(manager);
        // A status write leaves the rest as it was, already defaulted and valid; the control plane writes status all the time.
        if (subresource != "status" || !controlPlane)
        {
            ObjectDefaults.Apply(type, candidate);
            ObjectValidation.Validate(type, candidate);
            ValidateImmutable(type, old, candidate);
        }

        if (!appliedManagedFields && !controlPlane)
        {
            ManagedFields.RecordUpdate(candidate, old, manager, type.ApiVersion, subresource, Now);
        }

        metadata["resourceVersion"] = existing.ResourceVersion.ToString(CultureInfo.InvariantCulture);
        candidate = Reorder(candidate);
        if (JsonNode.DeepEquals(candidate, old))
        {
            // The API server does not write an unchanged object: no new resourceVersion, no watch event.
            return existing;
        }

        if (candidate["spec"] is not null && !JsonNode.DeepEquals(candidate["spec"], old["spec"]))
        {
            metadata["generation"] = (old.Long("metadata", "generation") ?? 0) + 1;
        }

        if (candidate.IsBeingDeleted() && (candidate.Array("metadata", "finalizers")?.Count ?? 0) == 0 && type != ResourceTypes.Namespaces)
        {
            return Store.Remove(type, existing.Namespace, existing.Name)!;
        }

        metadata["resourceVersion"] = Store.NextResourceVersion().ToString(CultureInfo.InvariantCulture);
        return Store.Put(type, candidate);
    }

    private static void ValidateImmutable(ResourceType type, JsonObject old, JsonObject candidate)
    {
        var errors = new List<FieldError>();
        if (type.Kind is "Deployment" or "ReplicaSet" or "Job" && !JsonNode.DeepEquals(old.Object("spec", "selector"), candidate.Object("spec", "selector")))
        {
            errors.Add(new FieldError("spec.selector", "FieldValueInvalid", "Invalid value: field is immutable"));
        }

        if (type.Kind == "Job" && !JsonNode.DeepEquals(old.Object("spec", "template"), candidate.Object("spec", "template")))
        {
            errors.Add(new FieldError("spec.template", "FieldValueInvalid", "Invalid value: field is immutable"));
        }

        if (type.Kind == "Service" && old.String("spec", "clusterIP") is { } ip && candidate.String("spec", "clusterIP") is { } newIp && ip != newIp)
        {
            errors.Add(new FieldError("spec.clusterIPs[0]", "FieldValueInvalid", "Invalid value: field is immutable"));
        }

        if (type.Kind == "Service" && candidate.String("spec", "clusterIP") is null && old.String("spec", "clusterIP") is { } kept)
        {
            // A PUT without the allocated address keeps it, as the API server does for services.
            candidate.Ensure("spec")["clusterIP"] = kept;
            candidate.Ensure("spec")["clusterIPs"] = old.Object("spec")!["clusterIPs"]?.DeepClone();
        }

        if (errors.Count > 0)
        {
            throw KubernetesApiException.Invalid(type, candidate.Name(), errors);
        }
    }

    /// <summary>apiVersion, kind, metadata, spec, status first, as the API server writes them (for readable dumps).</summary>
    private static JsonObject Reorder(JsonObject obj)
    {
        string[] first = ["apiVersion", "kind", "metadata", "spec"];
        if (obj.Select(p => p.Key).Take(first.Length).SequenceEqual(first.Where(obj.ContainsKey)))
        {
            return obj;
        }

        var ordered = new JsonObject();
        foreach (var key in first.Where(obj.ContainsKey).Concat(obj.Select(p => p.Key).Where(k => !first.Contains(k))).ToList())
        {
            var value = obj[key];
            obj.Remove(key);
            ordered[key] = value;
        }

        return ordered;
    }

    private static void CheckKind(ResourceType type, JsonObject body, bool required = false)
    {
        var kind = body.String("kind");
        var apiVersion = body.String("apiVersion");
        if (required && (kind is null || apiVersion is null))
        {
            throw KubernetesApiException.BadRequest("apiVersion and kind are required for server-side apply");
        }

        if ((kind is not null && kind != type.Kind) || (apiVersion is not null && apiVersion != type.ApiVersion))
        {
            throw KubernetesApiException.BadRequest($"the API version in the data ({apiVersion}) does not match the expected API version ({type.ApiVersion})");
        }

        body["apiVersion"] = type.ApiVersion;
        body["kind"] = type.Kind;
    }

    private static string ResolveNamespace(ResourceType type, string? ns, JsonObject body)
    {
        var metadata = body.Metadata();
        if (!type.Namespaced)
        {
            metadata.Remove("namespace");
            return "";
        }

        var bodyNamespace = metadata.String("namespace");
        if (!string.IsNullOrEmpty(bodyNamespace) && !string.IsNullOrEmpty(ns) && bodyNamespace != ns)
        {
            throw KubernetesApiException.BadRequest("the namespace of the provided object does not match the namespace sent on the request");
        }

        var resolved = string.IsNullOrEmpty(ns) ? bodyNamespace ?? "default" : ns;
        metadata["namespace"] = resolved;
        return resolved;
    }

    /// <summary>
    /// Deletes as the API server does: objects with finalizers (and namespaces) only get a deletionTimestamp; the
    /// rest go at once; dependents are orphaned, deleted first (Foreground) or left to the garbage collector (Background).
    /// </summary>
    public (StoredObject Object, bool Removed) Delete(ResourceType type, string ns, string name, DeleteOptions options)
    {
        lock (Store.Gate)
        {
            var existing = Store.Get(type, ns, name) ?? throw KubernetesApiException.NotFound(type, name);
            if (options.PreconditionUid is { Length: > 0 } uid && uid != existing.Uid)
            {
                throw KubernetesApiException.ConflictWithMessage(type, name,
                    $"Precondition failed: UID in precondition: {uid}, UID in object meta: {existing.Uid}");
            }

            if (options.PreconditionResourceVersion is { Length: > 0 } rv && rv != existing.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw KubernetesApiException.ConflictWithMessage(type, name,
                    $"Precondition failed: ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {existing.ResourceVersion}");
            }

            // batch/v1 jobs still orphan their pods by default (kubectl asks for Background explicitly).
            var propagation = options.PropagationPolicy ?? (type == ResourceTypes.Jobs ? "Orphan" : "Background");
            if (propagation is not ("Orphan" or "Background" or "Foreground"))
            {
                throw KubernetesApiException.BadRequest($"propagationPolicy: Unsupported value: \"{propagation}\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
            }

            if (type == ResourceTypes.Namespaces)
            {
                if (existing.Object.IsBeingDeleted())
                {
                    return (existing, false);
                }

                var terminating = existing.Object.Clone();
                terminating.Metadata()["deletionTimestamp"] = Json.Timestamp(Now);
                terminating.Metadata()["deletionGracePeriodSeconds"] = 0;
                terminating.Ensure("status")["phase"] = "Terminating";
                terminating.Metadata()["resourceVersion"] = Store.NextResourceVersion().ToString(CultureInfo.InvariantCulture);
                return (Store.Put(type, terminating), false);
            }

            if (propagation == "Orphan")
            {
                Orphan(existing);
            }
            else if (propagation == "Foreground")
            {
                DeleteDependents(existing, "Foreground");
            }

            if ((existing.Object.Array("metadata", "finalizers")?.Count ?? 0) > 0)
            {
                if (existing.Object.IsBeingDeleted())
                {
                    return (existing, false);
                }

                var marked = existing.Object.Clone();
                marked.Metadata()["deletionTimestamp"] = Json.Timestamp(Now);
                marked.Metadata()["deletionGracePeriodSeconds"] = 0;
                marked.Metadata()["resourceVersion"] = Store.NextResourceVersion().ToString(CultureInfo.InvariantCulture);
                return (Store.Put(type, marked), false);
            }

            return (Store.Remove(type, ns, name)!, true);
        }
    }

    public List<StoredObject> DeleteCollection(ResourceType type, string ns, LabelSelector labels, FieldSelector fields, DeleteOptions options)
    {
        lock (Store.Gate)
        {
            var deleted = new List<StoredObject>();
            foreach (var obj in Store.List(type, ns).Where(o => labels.Matches(o) && fields.Matches(o)).ToList())
            {
                deleted.Add(Delete(type, obj.Namespace, obj.Name, options with { PreconditionResourceVersion = null, PreconditionUid = null }).Object);
            }

            return deleted;
        }
    }

    /// <summary>The garbage collector's part: every object of the namespace that names <paramref name="owner"/> as owner goes too.</summary>
    public void DeleteDependents(StoredObject owner, string propagation)
    {
        foreach (var dependent in Store.InNamespace(owner.Namespace).Where(o => o.Object.IsOwnedBy(owner.Uid)).ToList())
        {
            if (Store.Get(dependent.Type, dependent.Namespace, dependent.Name) is not null)
            {
                Delete(dependent.Type, dependent.Namespace, dependent.Name, new DeleteOptions(propagation, null, null));
            }
        }
    }

    /// <summary>Dependents whose owner is gone (deleted in Background): what the garbage collector deletes.</summary>
    public void CollectGarbage(string ns, string ownerUid)
    {
        lock (Store.Gate)
        {
            foreach (var dependent in Store.InNamespace(ns).Where(o => o.Object.IsOwnedBy(ownerUid)).ToList())
            {
                if (Store.Get(dependent.Type, dependent.Namespace, dependent.Name) is not null)
                {
                    Delete(dependent.Type, dependent.Namespace, dependent.Name, DeleteOptions.Default with { PropagationPolicy = "Background" });
                }
            }
        }
    }

    private void Orphan(StoredObject owner)
    {
        foreach (var dependent in Store.InNamespace(owner.Namespace).Where(o => o.Object.IsOwnedBy(owner.Uid)).ToList())
        {
            var updated = dependent.Object.Clone();
            var references = updated.Array("metadata", "ownerReferences")!;
            foreach (var reference in references.OfType<JsonObject>().Where(r => r.String("uid") == owner.Uid).ToList())
            {
                references.Remove(reference);
            }

            if (references.Count == 0)
            {
                updated.Metadata().Remove("ownerReferences");
            }

            Commit(dependent.Type, dependent, updated, "kube-controller-manager", null, appliedManagedFields: false);
        }
    }

    /// <summary>The autoscaling/v1 Scale of a deployment or replica set.</summary>
    public static JsonObject Scale(StoredObject obj) => new()
    {
        ["kind"] = "Scale",
        ["apiVersion"] = "autoscaling/v1",
        ["metadata"] = new JsonObject
        {
            ["name"] = obj.Name,
            ["namespace"] = obj.Namespace,
            ["uid"] = obj.Uid,
            ["resourceVersion"] = obj.ResourceVersion.ToString(CultureInfo.InvariantCulture),
            ["creationTimestamp"] = obj.Object.String("metadata", "creationTimestamp"),
        },
        ["spec"] = new JsonObject { ["replicas"] = obj.Object.Long("spec", "replicas") ?? 0 },
        ["status"] = new JsonObject
        {
            ["replicas"] = obj.Object.Long("status", "replicas") ?? 0,
            ["selector"] = LabelSelector.FromObject(obj.Object.Object("spec", "selector"))?.ToString() ?? "",
        },
    };

    /// <summary>A write to the scale subresource: only spec.replicas changes, with the usual resourceVersion check.</summary>
    public StoredObject WriteScale(ResourceType type, string ns, string name, Func<JsonObject, JsonObject> change, string manager)
    {
        lock (Store.Gate)
        {
            var existing = Store.Get(type, ns, name) ?? throw KubernetesApiException.NotFound(type, name);
            var scale = change(Scale(existing));
            if (scale.String("metadata", "resourceVersion") is { Length: > 0 } expected && expected != existing.ResourceVersion.ToString(CultureInfo.InvariantCulture))
            {
                throw KubernetesApiException.Conflict(type, name);
            }

            var replicas = scale.Long("spec", "replicas") ?? 0;
            if (replicas < 0)
            {
                throw new KubernetesApiException(422, "Invalid", $"Scale.autoscaling \"{name}\" is invalid: spec.replicas: Invalid value: {replicas}: must be greater than or equal to 0");
            }

            var updated = existing.Object.Clone();
            updated.Ensure("spec")["replicas"] = replicas;
            return Commit(type, existing, updated, manager, "scale", appliedManagedFields: false);
        }
    }
}
