namespace Portal.Simulators.Kubernetes;

/// <summary>Something a simulated controller must look at again: an object by kind and key, or (Garbage) an owner's uid.</summary>
internal sealed record WorkItem(string Kind, string Namespace, string Name);
