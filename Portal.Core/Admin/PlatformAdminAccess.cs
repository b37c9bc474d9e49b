using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Admin;

/// <summary>The admin use cases' own check that the actor is a platform administrator, behind the pages' policy.</summary>
internal static class PlatformAdminAccess
{
    public static async Task<Failure?> CheckAsync(PortalDbContext db, Audit.Actor actor, PlatformAdminOptions options, CancellationToken cancellationToken)
    {
        var user = actor.UserId is null ? null : await db.Users.AsNoTracking().SingleOrDefaultAsync(u => u.Id == actor.UserId, cancellationToken);
        return user is { SuspendedAt: null } && options.IsPlatformAdmin(user)
            ? null
            : Failure.Forbidden("Only platform administrators can do this.");
    }

    public static Failure? ValidateReason(string? reason) =>
        string.IsNullOrWhiteSpace(reason) ? Failure.Invalid("reason", "Give the reason for the suspension.")
        : reason.Trim().Length > MaxReasonLength ? Failure.Invalid("reason", $"Keep the reason to {MaxReasonLength} characters.")
        : null;

    public const int MaxReasonLength = 500;
}
