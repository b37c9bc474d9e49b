using System.Diagnostics;
using System.Globalization;
using k8s;
using k8s.Models;
using Portal.Simulators.Kubernetes;

namespace Portal.Benchmarks;

/// <summary>
/// The Kubernetes API simulator under a provisioning-like load, through KubernetesClient: N namespaces, each with
/// a deployment of 2 pods, a service, a secret and a config map; then label-selector lists of every pod. The
/// simulator runs in this process (with TLS as in development, unless --no-tls), so the figures include the client's own work.
/// </summary>
public static class KubernetesBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        var namespaces = Option(args, "--namespaces", 1000);
        var concurrency = Option(args, "--concurrency", 16);
        if (namespaces < 1 || concurrency < 1)
        {
            await Console.Error.WriteLineAsync("Usage: Portal.Benchmarks kubernetes [--namespaces N] [--concurrency C] [--no-tls]  (N, C > 0)");
            return 2;
        }

        var tls = !args.Contains("--no-tls");
        await using var simulator = await KubernetesSimulator.StartAsync(new KubernetesSimulatorOptions { UseTls = tls });
        using var client = simulator.Clusters[0].CreateClient();
        var latencies = new List<double>(namespaces * 5);
        var gate = new Lock();

        async Task<T> Timed<T>(Func<Task<T>> request)
        {
            var started = Stopwatch.GetTimestamp();
            var result = await request();
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            lock (gate)
            {
                latencies.Add(elapsed);
            }

            return result;
        }

        // Warm-up: JIT, TLS handshakes and connection pool; its figures are dropped.
        await ProvisionAsync(client, "warm-up", (Func<Task<object>> r) => r());

        var wall = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, namespaces), new ParallelOptions { MaxDegreeOfParallelism = concurrency },
            async (i, _) => await ProvisionAsync(client, $"tenant-{i:D4}", Timed));
        wall.Stop();

        var available = Stopwatch.StartNew();
        int ready;
        do
        {
            var pods = await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "app.kubernetes.io/name=authsome", fieldSelector: "status.phase=Running");
            ready = pods.Items.Count(p => p.Status.Conditions?.Any(c => c.Type == "Ready" && c.Status == "True") == true);
            if (ready < namespaces * 2)
            {
                await Task.Delay(250);
            }
        }
        while (ready < namespaces * 2 && available.Elapsed < TimeSpan.FromMinutes(5));

        var listTimes = new List<double>();
        var listed = 0;
        for (var i = 0; i < 21; i++)
        {
            var started = Stopwatch.GetTimestamp();
            var pods = await client.CoreV1.ListPodForAllNamespacesAsync(labelSelector: "app.kubernetes.io/name=authsome,tier=auth");
            listTimes.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            listed = pods.Items.Count;
        }

        // The same list without the client's deserialization: what the simulator itself costs.
        var raw = new List<double>();
        var http = ((k8s.Kubernetes)client).HttpClient;
        for (var i = 0; i < 21; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(simulator.Clusters[0].BaseUri, "/api/v1/pods?labelSelector=app.kubernetes.io%2Fname%3Dauthsome%2Ctier%3Dauth"));
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", simulator.Clusters[0].Token);
            var started = Stopwatch.GetTimestamp();
            using var response = await http.SendAsync(request);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            raw.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            if (i == 0)
            {
                Console.WriteLine($"list response: {bytes.Length / 1024} KiB");
            }
        }

        foreach (var (kind, (count, total)) in simulator.Clusters[0].ControllerTimings)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"controller {kind}: {count} syncs, {total.TotalMilliseconds:F0} ms"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raw list median {Percentile(raw.Order().ToArray(), 0.5):F1} ms"));
        var sorted = latencies.Order().ToArray();
        var sortedLists = listTimes.Order().ToArray();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""

            Kubernetes API simulator: {namespaces} namespaces × (deployment of 2 pods, service, secret, config map), {concurrency} concurrent clients, {(tls ? "TLS" : "plain HTTP")}
            requests        {sorted.Length} in {wall.Elapsed.TotalSeconds:F1} s = {sorted.Length / wall.Elapsed.TotalSeconds:F0} requests/s
            latency (ms)    p50 {Percentile(sorted, 0.50):F2}   p95 {Percentile(sorted, 0.95):F2}   p99 {Percentile(sorted, 0.99):F2}   max {sorted[^1]:F1}
            pods ready      {ready} of {namespaces * 2}, {available.Elapsed.TotalSeconds:F1} s after the last request (pod start 1 s + ready 2 s simulated)
            list all pods   {listed} pods by label selector: median {Percentile(sortedLists, 0.5):F1} ms, max {sortedLists[^1]:F1} ms (21 lists)
            memory          working set {process.WorkingSet64 / 1048576.0:F0} MiB, managed heap {GC.GetTotalMemory(false) / 1048576.0:F0} MiB (simulator and client in one process)
            """));
        return 0;
    }

    private static async Task ProvisionAsync(IKubernetes client, string ns, Func<Func<Task<object>>, Task<object>> timed)
    {
        var labels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "authsome", ["tier"] = "auth" };
        await timed(async () => await client.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ns } }));
        await timed(async () => await client.CoreV1.CreateNamespacedSecretAsync(new V1Secret
        {
            Metadata = new V1ObjectMeta { Name = "authsome-db" },
            StringData = new Dictionary<string, string> { ["DATABASE_URL"] = $"postgres://{ns}@db/{ns}", ["REDIS_PASSWORD"] = Guid.NewGuid().ToString() },
        }, ns));
        await timed(async () => await client.CoreV1.CreateNamespacedConfigMapAsync(new V1ConfigMap
        {
            Metadata = new V1ObjectMeta { Name = "authsome-config" },
            Data = new Dictionary<string, string> { ["LOG_LEVEL"] = "info", ["ISSUER"] = $"https://{ns}.auth.example.com" },
        }, ns));
        await timed(async () => await client.AppsV1.CreateNamespacedDeploymentAsync(new V1Deployment
        {
            Metadata = new V1ObjectMeta { Name = "authsome", Labels = labels },
            Spec = new V1DeploymentSpec
            {
                Replicas = 2,
                Selector = new V1LabelSelector { MatchLabels = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "authsome" } },
                Template = new V1PodTemplateSpec
                {
                    Metadata = new V1ObjectMeta { Labels = labels },
                    Spec = new V1PodSpec
                    {
                        Containers =
                        [
                            new V1Container
                            {
                                Name = "server",
                                Image = "authsome/server:1.4.2",
                                Ports = [new V1ContainerPort { ContainerPort = 8080 }],
                                EnvFrom = [new V1EnvFromSource { SecretRef = new V1SecretEnvSource { Name = "authsome-db" } }, new V1EnvFromSource { ConfigMapRef = new V1ConfigMapEnvSource { Name = "authsome-config" } }],
                                Resources = new V1ResourceRequirements { Requests = new Dictionary<string, ResourceQuantity> { ["cpu"] = new("100m"), ["memory"] = new("128Mi") } },
                            },
                        ],
                    },
                },
            },
        }, ns));
        await timed(async () => await client.CoreV1.CreateNamespacedServiceAsync(new V1Service
        {
            Metadata = new V1ObjectMeta { Name = "authsome" },
            Spec = new V1ServiceSpec { Selector = new Dictionary<string, string> { ["app.kubernetes.io/name"] = "authsome" }, Ports = [new V1ServicePort { Port = 80, TargetPort = 8080 }] },
        }, ns));
    }

    private static int Option(string[] args, string name, int fallback)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length && int.TryParse(args[at + 1], NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : fallback;
    }

    // Nearest-rank percentile of sorted values.
    private static double Percentile(double[] sorted, double p) => sorted[Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1)];
}
