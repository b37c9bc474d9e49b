using Portal.Core.Workspaces;

namespace Portal.Core.Members;

/// <summary>
/// A membership offered by email. Its link carries a token of which only the SHA-256 hash is kept; each sending makes
/// a new token, so a resent invitation's older links stop working.
/// </summary>
public class Invitation
{
    public string Id { get; set; } = Ids.New("inv");

    public required string WorkspaceId { get; set; }

    public Workspace? Workspace { get; set; }

    public required string Email { get; set; }

    /// <summary>Upper-case email, as ASP.NET Core Identity normalizes it, for lookups and uniqueness.</summary>
    public required string NormalizedEmail { get; set; }

    public WorkspaceRole Role { get; set; }

    public InvitationStatus Status { get; set; } = InvitationStatus.Pending;

    /// <summary>Hash of the token in the last link sent; null until the first email goes out.</summary>
    public byte[]? TokenHash { get; set; }

    public string? InvitedByUserId { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset? SentAt { get; set; }

    public DateTimeOffset ExpiresAt { get; set; }

    public DateTimeOffset? AcceptedAt { get; set; }

    public string? AcceptedByUserId { get; set; }

    public DateTimeOffset? RevokedAt { get; set; }
}
