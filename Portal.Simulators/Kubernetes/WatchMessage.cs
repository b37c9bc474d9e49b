namespace Portal.Simulators.Kubernetes;

/// <summary>One line of a watch stream as one watcher sees it (its selectors decide ADDED/DELETED on label changes).</summary>
internal sealed record WatchMessage(string Type, byte[] Object);
