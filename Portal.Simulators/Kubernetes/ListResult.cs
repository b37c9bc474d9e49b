namespace Portal.Simulators.Kubernetes;

/// <summary>One page of a list: the items, the version it was read at and, with a limit, the token for the rest.</summary>
internal sealed record ListResult(IReadOnlyList<StoredObject> Items, long ResourceVersion, string? Continue, long? RemainingItemCount);
