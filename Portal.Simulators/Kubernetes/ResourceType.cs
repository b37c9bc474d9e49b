namespace Portal.Simulators.Kubernetes;

/// <summary>
/// One kind of object the simulated API server serves: what discovery reports about it and how the generic store
/// treats it. Every kind is stored the same way (as JSON), so adding one is a line in <see cref="ResourceTypes"/>.
/// </summary>
public sealed record ResourceType(
    string Group,
    string Version,
    string Plural,
    string Kind,
    bool Namespaced,
    IReadOnlyList<string> Verbs,
    IReadOnlyList<string> Subresources,
    IReadOnlyList<string> ShortNames)
{
    /// <summary>The apiVersion field of the objects: <c>v1</c> for the core group, <c>apps/v1</c> otherwise.</summary>
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>The name the API server uses in messages: <c>pods</c>, <c>deployments.apps</c>.</summary>
    public string QualifiedPlural => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public string Singular => Kind.ToLowerInvariant();

    /// <summary>A <c>status</c> subresource means writes to the main resource leave the status alone, and the other way round.</summary>
    public bool HasStatus => Subresources.Contains("status");

    public bool HasScale => Subresources.Contains("scale");

    public override string ToString() => $"{ApiVersion}/{Plural}";
}
