namespace Portal.Simulators.Kubernetes;

/// <summary>What a DELETE asks for: how dependents are treated and which version it expects to delete.</summary>
internal sealed record DeleteOptions(string? PropagationPolicy, string? PreconditionUid, string? PreconditionResourceVersion)
{
    public static DeleteOptions Default { get; } = new(null, null, null);

    /// <summary>The <c>dryRun</c> of the body: kubectl sends it there, not in the query, for a delete.</summary>
    public IReadOnlyList<string> DryRun { get; init; } = [];
}
