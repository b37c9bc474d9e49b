namespace Portal.Simulators.Kubernetes;

internal enum ModelKindTag
{
    Scalar,
    Object,
    Array,
    Map,
    Any,
}
