using System.Reflection;

namespace Portal.Simulators.Kubernetes;

/// <summary>One JSON property of a KubernetesClient model type.</summary>
internal sealed record ModelProperty(string JsonName, PropertyInfo Property, ModelKind Kind);
