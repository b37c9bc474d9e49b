namespace Portal.Core.Applications;

/// <summary>A PATCH of an application: the fields given change, the others stay.</summary>
public sealed record ApplicationChange(string? Name = null, string? Configuration = null);
