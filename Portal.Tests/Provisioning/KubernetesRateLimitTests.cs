using System.Diagnostics;
using k8s;
using Microsoft.Extensions.Configuration;
using Portal.Core.Provisioning.Kubernetes;
using Portal.Tests.Simulators.Kubernetes;

namespace Portal.Tests.Provisioning;

/// <summary>Our side's throttling of the Kubernetes client: the real client, through the limiter, against the simulator.</summary>
public sealed class KubernetesRateLimitTests(KubernetesSimulatorFixture kubernetes) : IClassFixture<KubernetesSimulatorFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Requests_BeyondTheBurst_ArePacedAtTheConfiguredRate()
    {
        var options = KubernetesOptions.Read(Configuration(
            ("Kubernetes:Regions:local:Kubeconfig", kubernetes.Cluster.KubeconfigPath), ("Kubernetes:Qps", "10"), ("Kubernetes:Burst", "1")), development: false);
        using var clusters = new KubernetesClusters(options);
        var client = clusters.Get("local");

        var elapsed = Stopwatch.StartNew();
        // 1 at once (the burst), then 10 more at 10 per second: at least about one second, sent together or one by one.
        await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => client.CoreV1.ListNamespaceAsync(cancellationToken: Ct)));
        for (var i = 0; i < 5; i++)
        {
            await client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        }

        Assert.True(elapsed.Elapsed >= TimeSpan.FromMilliseconds(900), $"11 requests took {elapsed.Elapsed.TotalMilliseconds} ms");
    }

    [Fact]
    public async Task ALongWatch_TakesOneToken()
    {
        var options = KubernetesOptions.Read(Configuration(
            ("Kubernetes:Regions:local:Kubeconfig", kubernetes.Cluster.KubeconfigPath), ("Kubernetes:Qps", "2"), ("Kubernetes:Burst", "2")), development: false);
        using var clusters = new KubernetesClusters(options);
        var client = clusters.Get("local");

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var watch = client.CoreV1.ListNamespaceWithHttpMessagesAsync(watch: true, cancellationToken: stop.Token);
        using var response = await watch;
        // The watch is open; the second token of the burst is still there, so a request goes at once.
        var elapsed = Stopwatch.StartNew();
        await client.CoreV1.ListNamespaceAsync(cancellationToken: Ct);
        Assert.True(elapsed.Elapsed < TimeSpan.FromMilliseconds(400), $"took {elapsed.Elapsed.TotalMilliseconds} ms");
        await stop.CancelAsync();
    }

    [Theory]
    [InlineData("Kubernetes:Qps", "0")]
    [InlineData("Kubernetes:Qps", "-5")]
    [InlineData("Kubernetes:Burst", "0")]
    public void OutOfRangeLimits_StopStartUp_NamingTheSetting(string key, string value)
    {
        var error = Assert.Throws<InvalidOperationException>(() => KubernetesOptions.Read(Configuration((key, value)), development: true));
        Assert.Contains(key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Limits_DefaultTo100PerSecondWithABurstOf200()
    {
        var options = KubernetesOptions.Read(Configuration(), development: true);
        Assert.Equal((100d, 200), (options.Qps, options.Burst));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value))).Build();
}
