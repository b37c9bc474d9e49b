using System.Diagnostics;
using System.Text.Json.Nodes;

namespace Portal.Tests.Simulators.Kubernetes;

/// <summary>
/// The real kubectl against the simulator (TLS, the kubeconfig the simulator wrote): apply, get, explain and strict
/// field validation. Skipped where kubectl is not installed (it is not on every CI machine).
/// </summary>
public sealed class KubectlTests(KubernetesSimulatorFixture fixture) : IClassFixture<KubernetesSimulatorFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    // Its own discovery and OpenAPI cache: kubectl's default one in ~/.kube would outlive the simulator's port.
    private readonly DirectoryInfo _work = Directory.CreateTempSubdirectory("kubectl-test-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Kubectl_AppliesGetsExplains_AndRefusesUnknownFields()
    {
        var kubectl = FindKubectl();
        if (kubectl is null)
        {
            Assert.Skip("kubectl is not installed (looked in /usr/bin and PATH)");
        }

        var ns = $"kubectl-{Guid.NewGuid():N}"[..16];
        var manifest = await WriteAsync("app.yaml", $"""
            apiVersion: v1
            kind: Namespace
            metadata:
              name: {ns}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: settings
              namespace: {ns}
            data:
              mode: "one"
            ---
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              namespace: {ns}
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: web
                    image: nginx
                    ports:
                    - containerPort: 80
            """);

        var applied = await RunAsync(kubectl, "apply", "-f", manifest);
        Assert.True(applied.ExitCode == 0, applied.ToString());
        Assert.Contains($"namespace/{ns} created", applied.Output, StringComparison.Ordinal);
        Assert.Contains("configmap/settings created", applied.Output, StringComparison.Ordinal);
        Assert.Contains("deployment.apps/web created", applied.Output, StringComparison.Ordinal);

        // A second apply with a change is a strategic merge patch computed from the OpenAPI schema.
        await File.WriteAllTextAsync(manifest, (await File.ReadAllTextAsync(manifest, Ct)).Replace("replicas: 2", "replicas: 3", StringComparison.Ordinal), Ct);
        var reapplied = await RunAsync(kubectl, "apply", "-f", manifest);
        Assert.True(reapplied.ExitCode == 0, reapplied.ToString());
        Assert.Contains("deployment.apps/web configured", reapplied.Output, StringComparison.Ordinal);
        Assert.Contains("configmap/settings unchanged", reapplied.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("warning", reapplied.Error, StringComparison.OrdinalIgnoreCase);

        var got = await RunAsync(kubectl, "get", "deployment", "web", "-n", ns, "-o", "json");
        Assert.True(got.ExitCode == 0, got.ToString());
        var deployment = JsonNode.Parse(got.Output)!;
        Assert.Equal("Deployment", deployment["kind"]!.GetValue<string>());
        Assert.Equal(3, deployment["spec"]!["replicas"]!.GetValue<int>());
        Assert.Equal("nginx", deployment["spec"]!["template"]!["spec"]!["containers"]![0]!["image"]!.GetValue<string>());

        var explained = await RunAsync(kubectl, "explain", "deployment.spec.replicas");
        Assert.True(explained.ExitCode == 0, explained.ToString());
        Assert.Contains("FIELD: replicas <integer>", explained.Output, StringComparison.Ordinal);
        Assert.Contains("Number of desired pods", explained.Output, StringComparison.Ordinal);

        var bad = await WriteAsync("bad.yaml", $"""
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: bad
              namespace: {ns}
            datta:
              mode: "typo"
            """);
        var refused = await RunAsync(kubectl, "apply", "-f", bad);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("strict decoding error: unknown field \"datta\"", refused.Error, StringComparison.Ordinal);
        var absent = await RunAsync(kubectl, "get", "configmap", "bad", "-n", ns);
        Assert.NotEqual(0, absent.ExitCode);
        Assert.Contains("NotFound", absent.Error, StringComparison.Ordinal);
    }

    private static string? FindKubectl() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Prepend("/usr/bin")
            .Select(d => Path.Combine(d, "kubectl"))
            .FirstOrDefault(File.Exists);

    private async Task<string> WriteAsync(string name, string content)
    {
        var path = Path.Combine(_work.FullName, name);
        await File.WriteAllTextAsync(path, content, Ct);
        return path;
    }

    private async Task<KubectlResult> RunAsync(string kubectl, params string[] arguments)
    {
        var info = new ProcessStartInfo(kubectl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add("--kubeconfig");
        info.ArgumentList.Add(fixture.Cluster.KubeconfigPath);
        info.ArgumentList.Add("--cache-dir");
        info.ArgumentList.Add(Path.Combine(_work.FullName, "cache"));
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment.Remove("KUBECONFIG");
        using var process = Process.Start(info) ?? throw new InvalidOperationException("kubectl did not start");
        var output = process.StandardOutput.ReadToEndAsync(Ct);
        var error = process.StandardError.ReadToEndAsync(Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(Timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"kubectl {string.Join(' ', arguments)} did not finish within {Timeout}");
        }

        return new KubectlResult($"kubectl {string.Join(' ', arguments)}", process.ExitCode, await output, await error);
    }

    public void Dispose() => _work.Delete(recursive: true);

    private sealed record KubectlResult(string Command, int ExitCode, string Output, string Error)
    {
        public override string ToString() => $"{Command} exited with {ExitCode}\nstdout:\n{Output}\nstderr:\n{Error}";
    }
}
