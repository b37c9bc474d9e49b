namespace Portal.Core.Applications;

/// <summary>An application as lists, pages and the API show it.</summary>
public sealed record ApplicationView(
    string Id,
    string WorkspaceId,
    string Name,
    string Slug,
    ApplicationEnvironment Environment,
    string Region,
    ApplicationStatus Status,
    string Configuration,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeletedAt)
{
    /// <summary>The proxy's allowlist of CIDR ranges, in canonical form; empty allows every address.</summary>
    public IReadOnlyList<string> IpAllowlist { get; init; } = [];
}
