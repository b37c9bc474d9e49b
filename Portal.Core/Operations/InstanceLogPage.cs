namespace Portal.Core.Operations;

/// <summary>The lines read, oldest first, and the names of the instance's pods (to choose one).</summary>
public sealed record InstanceLogPage(IReadOnlyList<InstanceLogLine> Data, IReadOnlyList<string> Pods);
