using System.Globalization;
using System.Runtime.InteropServices;
using Portal.Simulators.Kubernetes;

namespace Portal.Hosting;

/// <summary>
/// <c>Portal simulate-kubernetes [--port 6443] [--clusters us-east-1,eu-west-1] [--state-file path] [--plain-http]
/// [--token T] [--kubeconfig-dir dir] [--instances-port 6480]</c>: the Kubernetes API simulator and its stand-in instances on
/// their own, until Ctrl-C.
/// </summary>
public static class SimulateKubernetesCommand
{
    public const string Name = "simulate-kubernetes";

    private const string Usage =
        "Usage: Portal simulate-kubernetes [--port 6443] [--clusters us-east-1,eu-west-1] [--state-file path] [--plain-http] [--token T] [--kubeconfig-dir dir] [--instances-port 6480]";

    public static async Task<int> RunAsync(string[] args)
    {
        var port = 6443;
        var clusters = new List<string> { "local" };
        string? stateFile = null;
        string? token = null;
        // TLS by default: kubectl (client-go) never sends a kubeconfig's bearer token over plain HTTP, so a plain
        // server answers kubectl 403 as the anonymous user. The CA is written into the kubeconfig.
        var tls = true;
        var instancesPort = 6480;
        var kubeconfigDirectory = Path.Combine(Path.GetTempPath(), "authsome-kubernetes-simulator");
        for (var i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            try
            {
                switch (args[i])
                {
                    case "--port":
                        port = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                        break;
                    case "--clusters":
                        clusters = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();
                        break;
                    case "--state-file":
                        stateFile = Path.GetFullPath(Value());
                        break;
                    case "--token":
                        token = Value();
                        break;
                    case "--kubeconfig-dir":
                        kubeconfigDirectory = Path.GetFullPath(Value());
                        break;
                    case "--instances-port":
                        instancesPort = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                        break;
                    case "--tls":
                        tls = true;
                        break;
                    case "--plain-http":
                        tls = false;
                        break;
                    default:
                        throw new ArgumentException($"Unknown argument '{args[i]}'.");
                }
            }
            catch (Exception e) when (e is ArgumentException or FormatException or OverflowException)
            {
                await Console.Error.WriteLineAsync($"{e.Message}\n{Usage}");
                return 2;
            }
        }

        await using var simulator = await KubernetesSimulator.StartAsync(new KubernetesSimulatorOptions
        {
            Clusters = clusters.Select(c => new SimulatedClusterOptions(c, c)).ToList(),
            Port = port,
            UseTls = tls,
            Token = token,
            StateFilePath = stateFile,
            KubeconfigDirectory = kubeconfigDirectory,
            InstancesPort = instancesPort,
        });
        foreach (var cluster in simulator.Clusters)
        {
            Console.WriteLine($"{cluster.Name}: {cluster.BaseUri}  kubeconfig: {cluster.KubeconfigPath}  services: {simulator.Instances.ServiceUrlTemplate(cluster.Name)}");
        }

        Console.WriteLine(tls
            ? $"Try: KUBECONFIG={simulator.Clusters[0].KubeconfigPath} kubectl get namespaces   (Ctrl-C stops the simulator)"
            : $"Plain HTTP: kubectl does not send the token over it; use KubernetesClient or curl -H 'Authorization: Bearer {simulator.Clusters[0].Token}' {simulator.Clusters[0].BaseUri}api/v1/namespaces   (Ctrl-C stops the simulator)");
        using var stop = new CancellationTokenSource();
        // Ctrl-C and SIGTERM end the wait below, so that the state file gets its last save before the process exits.
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        try
        {
            await Task.Delay(Timeout.Infinite, stop.Token);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C.
        }

        return 0;
    }
}
