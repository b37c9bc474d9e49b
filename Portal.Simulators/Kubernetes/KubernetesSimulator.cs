using System.Security.Cryptography;

namespace Portal.Simulators.Kubernetes;

/// <summary>
/// A Kubernetes API simulator: one or more clusters, each a small API server on a loopback port that the real
/// KubernetesClient talks to through a kubeconfig, with simulated controllers and kubelet behind it.
/// </summary>
/// <example>
/// <code>
/// await using var simulator = await KubernetesSimulator.StartAsync(new KubernetesSimulatorOptions());
/// var client = simulator.Clusters[0].CreateClient();
/// </code>
/// </example>
public sealed class KubernetesSimulator : IAsyncDisposable
{
    private readonly SimulatorCertificates? _certificates;
    private readonly StateFile? _stateFile;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _saving;
    private readonly string? _temporaryDirectory;
    private int _disposed;

    private KubernetesSimulator(List<SimulatedCluster> clusters, InstanceServer instances, SimulatorCertificates? certificates, StateFile? stateFile, string? temporaryDirectory)
    {
        Clusters = clusters;
        Instances = instances;
        _certificates = certificates;
        _stateFile = stateFile;
        _temporaryDirectory = temporaryDirectory;
        _saving = stateFile is null ? Task.CompletedTask : SaveLoopAsync();
    }

    public IReadOnlyList<SimulatedCluster> Clusters { get; }

    /// <summary>The stand-in AuthSome instances behind the clusters' Services.</summary>
    public InstanceServer Instances { get; }

    public SimulatedCluster this[string name] =>
        Clusters.FirstOrDefault(c => c.Name == name || c.Region == name) ?? throw new KeyNotFoundException($"The simulator has no cluster '{name}'.");

    public static async Task<KubernetesSimulator> StartAsync(KubernetesSimulatorOptions options, CancellationToken cancellationToken = default)
    {
        var clusters = options.Clusters.Count > 0 ? options.Clusters.ToList() : [new SimulatedClusterOptions("local")];
        var duplicate = clusters.GroupBy(c => c.Name).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two simulated clusters are named '{duplicate.Key}'.", nameof(options));
        }

        var token = options.Token ?? Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));
        var certificates = options.UseTls ? SimulatorCertificates.Create() : null;
        string? temporary = null;
        var directory = options.KubeconfigDirectory;
        if (directory is null)
        {
            temporary = Directory.CreateTempSubdirectory("authsome-kubernetes-simulator-").FullName;
            directory = temporary;
        }

        Directory.CreateDirectory(directory);
        var stateFile = options.StateFilePath is { } path ? new StateFile(path) : null;
        var saved = stateFile?.Load() ?? [];
        var started = new List<SimulatedCluster>();
        InstanceServer instances;
        try
        {
            for (var i = 0; i < clusters.Count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var cluster = clusters[i];
                if (cluster.Port == 0 && options.Port != 0)
                {
                    cluster = cluster with { Port = options.Port + i };
                }

                Action<ObjectStore>? restore = saved.TryGetValue(cluster.Name, out var state)
                    ? store => StateFile.Restore(store, state.ResourceVersion, state.Objects)
                    : null;
                started.Add(await SimulatedCluster.StartAsync(cluster, options, certificates, token, directory, restore));
            }

            instances = await InstanceServer.StartAsync(started.ToDictionary(c => c.Name, c => c.Api, StringComparer.Ordinal), options.InstancesPort);
        }
        catch
        {
            foreach (var cluster in started)
            {
                await cluster.DisposeAsync();
            }

            certificates?.Dispose();
            throw;
        }

        return new KubernetesSimulator(started, instances, certificates, stateFile, temporary);
    }

    private async Task SaveLoopAsync()
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await timer.WaitForNextTickAsync(_stopping.Token))
            {
                await _stateFile!.SaveAsync(Clusters, _stopping.Token);
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping: the last save happens in DisposeAsync.
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stopping.CancelAsync();
        await _saving;
        await Instances.DisposeAsync();
        foreach (var cluster in Clusters)
        {
            await cluster.DisposeAsync();
        }

        if (_stateFile is not null)
        {
            await _stateFile.SaveAsync(Clusters, CancellationToken.None);
        }

        _certificates?.Dispose();
        _stopping.Dispose();
        if (_temporaryDirectory is not null)
        {
            try
            {
                Directory.Delete(_temporaryDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A kubeconfig still open elsewhere; the temporary directory is left for the system to clean.
            }
        }
    }
}
