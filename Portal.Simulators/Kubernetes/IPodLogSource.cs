namespace Portal.Simulators.Kubernetes;

/// <summary>
/// What simulated containers write to their log. Line <c>index</c> of a container is written at
/// start + index × <see cref="KubernetesSimulatorOptions.LogLineInterval"/>; the text must depend only on its
/// arguments, so that logs need no storage and read the same after a restart.
/// </summary>
public interface IPodLogSource
{
    string Line(PodLogContext context, long index, DateTimeOffset time);
}
