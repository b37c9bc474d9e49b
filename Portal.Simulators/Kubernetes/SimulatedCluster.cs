using System.Net;
using k8s;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// One simulated cluster on its own loopback port: its API server, store and controllers, the kubeconfig that
/// reaches it, and its fault switches.
/// </summary>
public sealed class SimulatedCluster : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ClusterControllers _controllers;

    private SimulatedCluster(SimulatedClusterOptions cluster, WebApplication app, ClusterApi api, ClusterControllers controllers, SimulatorFaults faults, Uri baseUri, string kubeconfigPath, string token)
    {
        Name = cluster.Name;
        Region = cluster.Region ?? cluster.Name;
        _app = app;
        Api = api;
        _controllers = controllers;
        Faults = faults;
        BaseUri = baseUri;
        KubeconfigPath = kubeconfigPath;
        Token = token;
    }

    /// <summary>The kubeconfig's cluster and context name.</summary>
    public string Name { get; }

    public string Region { get; }

    /// <summary>The API server's address, <c>https://127.0.0.1:PORT</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>A kubeconfig (server, certificate-authority-data, bearer token) for this cluster.</summary>
    public string KubeconfigPath { get; }

    public string Token { get; }

    public SimulatorFaults Faults { get; }

    internal ClusterApi Api { get; }

    /// <summary>The client configuration the kubeconfig describes, read as any kubeconfig is.</summary>
    public KubernetesClientConfiguration ClientConfiguration() => KubernetesClientConfiguration.BuildConfigFromConfigFile(KubeconfigPath);

    public IKubernetes CreateClient() => new k8s.Kubernetes(ClientConfiguration());

    internal static async Task<SimulatedCluster> StartAsync(SimulatedClusterOptions cluster, KubernetesSimulatorOptions options, SimulatorCertificates? certificates,
        string token, string kubeconfigDirectory, Action<ObjectStore>? restore)
    {
        var store = new ObjectStore(options.WatchHistorySize);
        var api = new ClusterApi(store, options.TimeProvider);
        var faults = new SimulatorFaults();
        restore?.Invoke(store);
        var controllers = new ClusterControllers(api, options, faults);
        faults.WatchDropper = resource =>
        {
            lock (store.Gate)
            {
                var dropped = store.Watchers.Where(w => resource is null || w.Type.Plural == resource).ToList();
                foreach (var watcher in dropped)
                {
                    watcher.Dropped.Cancel();
                }

                return dropped.Count;
            }
        };

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(SimulatedCluster).Assembly.GetName().Name });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestBodySize = 3 * 1024 * 1024;
            kestrel.Listen(IPAddress.Loopback, cluster.Port, listen =>
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                if (certificates is not null)
                {
                    listen.UseHttps(certificates.Server);
                }
            });
        });
        var app = builder.Build();
        var server = new ApiServer(api, faults, options, token);
        app.Run(server.HandleAsync);
        await app.StartAsync();

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var baseUri = new Uri($"{(certificates is null ? "http" : "https")}://127.0.0.1:{port}");
        var kubeconfigPath = Path.Combine(kubeconfigDirectory, $"{cluster.Name}.kubeconfig");
        await File.WriteAllTextAsync(kubeconfigPath, Kubeconfig(cluster.Name, baseUri, certificates, token));
        EnsureSystemNamespaces(api);
        controllers.Start();
        return new SimulatedCluster(cluster, app, api, controllers, faults, baseUri, kubeconfigPath, token);
    }

    private static void EnsureSystemNamespaces(ClusterApi api)
    {
        foreach (var name in new[] { "default", "kube-system", "kube-public", "kube-node-lease" })
        {
            lock (api.Store.Gate)
            {
                if (api.Store.Get(ResourceTypes.Namespaces, "", name) is null)
                {
                    api.Create(ResourceTypes.Namespaces, null, new System.Text.Json.Nodes.JsonObject
                    {
                        ["metadata"] = new System.Text.Json.Nodes.JsonObject { ["name"] = name },
                    }, "kube-apiserver");
                }
            }
        }
    }

    private static string Kubeconfig(string name, Uri server, SimulatorCertificates? certificates, string token)
    {
        var authority = certificates is null
            ? ""
            : $"    certificate-authority-data: {Convert.ToBase64String(System.Text.Encoding.ASCII.GetBytes(certificates.AuthorityPem))}\n";
        return $"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: {name}
              cluster:
                server: {server.ToString().TrimEnd('/')}
            {authority}users:
            - name: {name}-admin
              user:
                token: {token}
            contexts:
            - name: {name}
              context:
                cluster: {name}
                user: {name}-admin
                namespace: default
            current-context: {name}

            """;
    }

    internal Dictionary<string, (int Count, TimeSpan Total)> ControllerTimings => _controllers.Timings;

    internal void DropAllWatches() => Faults.DropWatches();

    public async ValueTask DisposeAsync()
    {
        DropAllWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _controllers.DisposeAsync();
    }
}
