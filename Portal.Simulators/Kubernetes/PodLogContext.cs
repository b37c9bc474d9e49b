namespace Portal.Simulators.Kubernetes;

/// <summary>The container whose log line is asked for.</summary>
public sealed record PodLogContext(string Namespace, string Pod, string Container, string Image);
