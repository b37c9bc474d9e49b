namespace Portal.Core.Workspaces;

/// <summary>A change to a workspace's settings; null fields stay as they are.</summary>
public sealed record WorkspaceChange(string? Name = null, IReadOnlyDictionary<string, string>? Metadata = null, bool? RequireTwoFactor = null);
