namespace Portal.Core.Applications;

/// <summary>
/// A PATCH of an application: the fields given change, the others stay. <see cref="IpAllowlist"/> replaces the whole
/// list (an empty one clears it); it is a proxy setting, so it never rolls the instance.
/// </summary>
public sealed record ApplicationChange(string? Name = null, string? Configuration = null, IReadOnlyList<string?>? IpAllowlist = null);
