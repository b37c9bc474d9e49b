namespace Portal.Simulators.Kubernetes;

/// <summary>One simulated cluster: its name (kubeconfig cluster and context), the region it stands for, its port.</summary>
public sealed record SimulatedClusterOptions(string Name, string? Region = null, int Port = 0);
