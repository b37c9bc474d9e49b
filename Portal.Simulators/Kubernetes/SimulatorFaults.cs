using System.Text.Json.Nodes;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// The failures a real cluster has, switched on from tests or through <c>POST /_simulator/faults</c>: failed
/// requests (429 with Retry-After, 500, 503), latency, dropped watch streams, image pulls that fail in a namespace,
/// a deployment whose pods crash-loop. Verbs are the API's (get, list, watch, create, update, patch, delete,
/// deletecollection); resources are plurals, optionally with a subresource (<c>pods/log</c>).
/// </summary>
public sealed class SimulatorFaults
{
    private readonly Lock _gate = new();
    private readonly List<FailureRule> _failures = [];
    private readonly List<LatencyRule> _latencies = [];
    private readonly HashSet<string> _imagePullFailures = [];
    private readonly HashSet<(string Namespace, string Deployment)> _crashLoops = [];
    private int _heldRequests;

    /// <summary>Requests waiting out their latency now: a test knows a call it slowed down is held, without sleeping.</summary>
    public int HeldRequests => Volatile.Read(ref _heldRequests);

    /// <summary>Raised when a switch that changes how pods run (image pulls, crash loops) changes.</summary>
    internal event Action? WorkloadFaultsChanged;

    /// <summary>Drops open watches of a resource (all when null) and says how many; set by the cluster.</summary>
    internal Func<string?, int>? WatchDropper { get; set; }

    /// <summary>The next <paramref name="count"/> matching requests fail with <paramref name="statusCode"/> (429, 500 or 503).</summary>
    public void FailNext(int count, int statusCode, string? verb = null, string? resource = null, string? @namespace = null, int retryAfterSeconds = 1)
    {
        if (statusCode is not (429 or 500 or 503 or 504))
        {
            throw new ArgumentOutOfRangeException(nameof(statusCode), statusCode, "Fault status codes are 429, 500, 503 and 504.");
        }

        lock (_gate)
        {
            _failures.Add(new FailureRule(verb, resource, @namespace, statusCode, retryAfterSeconds) { Remaining = count });
        }
    }

    /// <summary>Every matching request waits <paramref name="latency"/> before it is served; zero removes the rule.</summary>
    public void AddLatency(TimeSpan latency, string? verb = null, string? resource = null)
    {
        lock (_gate)
        {
            _latencies.RemoveAll(l => l.Verb == verb && l.Resource == resource);
            if (latency > TimeSpan.Zero)
            {
                _latencies.Add(new LatencyRule(verb, resource, latency));
            }
        }
    }

    /// <summary>Ends the open watch streams of <paramref name="resource"/> (every watch when null), as when an API server restarts.</summary>
    public int DropWatches(string? resource = null) => WatchDropper?.Invoke(resource) ?? 0;

    /// <summary>Image pulls in <paramref name="namespace"/> fail: new pods stay in ErrImagePull / ImagePullBackOff.</summary>
    public void FailImagePulls(string @namespace, bool fail = true)
    {
        lock (_gate)
        {
            if (fail)
            {
                _imagePullFailures.Add(@namespace);
            }
            else
            {
                _imagePullFailures.Remove(@namespace);
            }
        }

        WorkloadFaultsChanged?.Invoke();
    }

    /// <summary>The pods of a deployment start, crash with exit code 1 and go into CrashLoopBackOff, again and again.</summary>
    public void CrashLoop(string @namespace, string deployment, bool crash = true)
    {
        lock (_gate)
        {
            if (crash)
            {
                _crashLoops.Add((@namespace, deployment));
            }
            else
            {
                _crashLoops.Remove((@namespace, deployment));
            }
        }

        WorkloadFaultsChanged?.Invoke();
    }

    /// <summary>Switches every fault off.</summary>
    public void Clear()
    {
        lock (_gate)
        {
            _failures.Clear();
            _latencies.Clear();
            _imagePullFailures.Clear();
            _crashLoops.Clear();
        }

        WorkloadFaultsChanged?.Invoke();
    }

    internal bool ImagePullsFail(string @namespace)
    {
        lock (_gate)
        {
            return _imagePullFailures.Contains(@namespace);
        }
    }

    internal bool CrashLoops(string @namespace, string? deployment)
    {
        lock (_gate)
        {
            return deployment is not null && _crashLoops.Contains((@namespace, deployment));
        }
    }

    /// <summary>Counts a request in (+1) or out (-1) of its latency.</summary>
    internal void Holding(int change) => Interlocked.Add(ref _heldRequests, change);

    /// <summary>The latency to add and the failure to answer with (if any) for one request; consumes one failure.</summary>
    internal (TimeSpan Latency, KubernetesApiException? Failure) Next(string verb, string resource, string? @namespace)
    {
        lock (_gate)
        {
            var latency = _latencies.Where(l => Matches(l.Verb, verb) && MatchesResource(l.Resource, resource)).Select(l => l.Latency).DefaultIfEmpty().Max();
            var rule = _failures.FirstOrDefault(f => f.Remaining > 0 && Matches(f.Verb, verb) && MatchesResource(f.Resource, resource) && Matches(f.Namespace, @namespace));
            if (rule is null)
            {
                return (latency, null);
            }

            rule.Remaining--;
            if (rule.Remaining == 0)
            {
                _failures.Remove(rule);
            }

            return (latency, rule.StatusCode switch
            {
                429 => new KubernetesApiException(429, "TooManyRequests", "Too many requests, please try again later.",
                    new JsonObject { ["retryAfterSeconds"] = rule.RetryAfterSeconds })
                { RetryAfterSeconds = rule.RetryAfterSeconds },
                503 => new KubernetesApiException(503, "ServiceUnavailable", "the server is currently unable to handle the request",
                    new JsonObject { ["retryAfterSeconds"] = rule.RetryAfterSeconds })
                { RetryAfterSeconds = rule.RetryAfterSeconds },
                504 => new KubernetesApiException(504, "Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request"),
                _ => new KubernetesApiException(500, "InternalError", "Internal error occurred: simulated fault",
                    new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = "simulated fault" }) }),
            });
        }
    }

    private static bool Matches(string? rule, string? value) => rule is null || string.Equals(rule, value, StringComparison.OrdinalIgnoreCase);

    // A rule for "pods" covers pods/log and pods/status too; one for "pods/log" only that.
    private static bool MatchesResource(string? rule, string resource) =>
        rule is null || string.Equals(rule, resource, StringComparison.OrdinalIgnoreCase)
        || (!rule.Contains('/', StringComparison.Ordinal) && resource.StartsWith(rule + "/", StringComparison.OrdinalIgnoreCase));

    /// <summary>The switches in force, as the admin endpoint lists them.</summary>
    public JsonObject Describe()
    {
        lock (_gate)
        {
            return new JsonObject
            {
                ["failures"] = new JsonArray(_failures.Select(f => (JsonNode)new JsonObject
                {
                    ["verb"] = f.Verb,
                    ["resource"] = f.Resource,
                    ["namespace"] = f.Namespace,
                    ["status"] = f.StatusCode,
                    ["remaining"] = f.Remaining,
                }).ToArray()),
                ["latencies"] = new JsonArray(_latencies.Select(l => (JsonNode)new JsonObject
                {
                    ["verb"] = l.Verb,
                    ["resource"] = l.Resource,
                    ["milliseconds"] = l.Latency.TotalMilliseconds,
                }).ToArray()),
                ["imagePullFailures"] = new JsonArray(_imagePullFailures.Select(n => (JsonNode)n).ToArray()),
                ["crashLoops"] = new JsonArray(_crashLoops.Select(c => (JsonNode)new JsonObject { ["namespace"] = c.Namespace, ["deployment"] = c.Deployment }).ToArray()),
            };
        }
    }

    /// <summary>Applies one admin request: <c>{"type":"fail"|"latency"|"drop-watches"|"image-pull"|"crash-loop", …}</c>.</summary>
    internal JsonObject Apply(JsonObject request)
    {
        var type = request.String("type");
        switch (type)
        {
            case "fail":
                FailNext((int)(request.Long("count") ?? 1), (int)(request.Long("status") ?? 500), request.String("verb"), request.String("resource"),
                    request.String("namespace"), (int)(request.Long("retryAfterSeconds") ?? 1));
                break;
            case "latency":
                AddLatency(TimeSpan.FromMilliseconds(request.Long("milliseconds") ?? 0), request.String("verb"), request.String("resource"));
                break;
            case "drop-watches":
                return new JsonObject { ["dropped"] = DropWatches(request.String("resource")) };
            case "image-pull":
                FailImagePulls(request.String("namespace") ?? throw KubernetesApiException.BadRequest("namespace is required"), request.Bool("enabled") ?? true);
                break;
            case "crash-loop":
                CrashLoop(request.String("namespace") ?? throw KubernetesApiException.BadRequest("namespace is required"),
                    request.String("deployment") ?? throw KubernetesApiException.BadRequest("deployment is required"), request.Bool("enabled") ?? true);
                break;
            default:
                throw KubernetesApiException.BadRequest($"unknown fault type \"{type}\": use fail, latency, drop-watches, image-pull or crash-loop");
        }

        return Describe();
    }

    private sealed record FailureRule(string? Verb, string? Resource, string? Namespace, int StatusCode, int RetryAfterSeconds)
    {
        public int Remaining { get; set; }
    }

    private sealed record LatencyRule(string? Verb, string? Resource, TimeSpan Latency);
}
