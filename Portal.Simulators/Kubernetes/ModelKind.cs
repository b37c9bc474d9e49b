namespace Portal.Simulators.Kubernetes;

/// <summary>The JSON shape of a model type: a scalar, an object of a model type, or an array or map of <see cref="Type"/>.</summary>
internal sealed record ModelKind(ModelKindTag Tag, Type Type);
