namespace Portal.Simulators.Kubernetes;

/// <summary>What a DELETE asks for: how dependents are treated and which version it expects to delete.</summary>
internal sealed record DeleteOptions(string? PropagationPolicy, string? PreconditionUid, string? PreconditionResourceVersion)
{
    public static DeleteOptions Default { get; } = new(null, null, null);
}
