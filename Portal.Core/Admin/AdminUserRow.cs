namespace Portal.Core.Admin;

/// <summary>An account as the platform administrators' list shows it.</summary>
public sealed record AdminUserRow(
    string Id,
    string Email,
    string? DisplayName,
    bool EmailConfirmed,
    bool TwoFactorEnabled,
    bool IsPlatformAdmin,
    DateTimeOffset? SuspendedAt,
    string? SuspensionReason,
    DateTimeOffset CreatedAt,
    int WorkspacesCount);
