using Microsoft.EntityFrameworkCore;

namespace Portal.Core.Workspaces;

/// <summary>
/// The one answer to "may this user do this to this workspace?", asked by the authorization policies of pages and
/// endpoints and again by every use case. A workspace the user is not a member of does not exist for them (404).
/// </summary>
public static class WorkspaceAccess
{
    public static Task<Membership?> FindAsync(PortalDbContext db, string userId, string workspaceId, CancellationToken cancellationToken = default) =>
        db.Set<Members.Member>()
            .Where(m => m.UserId == userId && m.WorkspaceId == workspaceId)
            .Select(m => new Membership(
                m.WorkspaceId, m.Id, m.UserId, m.Role, m.Workspace!.Status, m.Workspace.RequireTwoFactor, m.User!.TwoFactorEnabled))
            .FirstOrDefaultAsync(cancellationToken);

    /// <summary>Null when allowed, else why not. Deleted workspaces are found only for <see cref="WorkspacePermission.Own"/> (restore).</summary>
    public static Failure? Check(Membership? membership, WorkspacePermission permission)
    {
        if (membership is null || (membership.WorkspaceStatus == WorkspaceStatus.Deleted && permission != WorkspacePermission.Own))
        {
            return Failure.NotFound("The workspace");
        }

        if (!WorkspacePermissions.Allows(membership.Role, permission))
        {
            return Failure.Forbidden($"Your role ({membership.Role.ToString().ToLowerInvariant()}) cannot {WorkspacePermissions.Describe(permission)}.");
        }

        if (membership.MustSetUpTwoFactor)
        {
            return Failure.Forbidden("This workspace requires two-factor authentication: set it up on your account first.");
        }

        return membership.WorkspaceStatus == WorkspaceStatus.Suspended && WorkspacePermissions.Mutates(permission)
            ? Failure.Forbidden("This workspace is suspended: nothing in it can be changed. Contact support.")
            : null;
    }

    public static async Task<Outcome<Membership>> RequireAsync(
        PortalDbContext db, string? userId, string workspaceId, WorkspacePermission permission, CancellationToken cancellationToken = default)
    {
        var membership = userId is null ? null : await FindAsync(db, userId, workspaceId, cancellationToken);
        return Check(membership, permission) is { } failure ? failure : membership!;
    }
}
