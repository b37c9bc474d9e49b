using Microsoft.EntityFrameworkCore;
using Portal.Core.Audit;
using Portal.Core.Workspaces;

namespace Portal.Core.Members;

/// <summary>Turns an invitation into a membership for the account whose email it was sent to.</summary>
public sealed class AcceptInvitation(IDbContextFactory<PortalDbContext> dbFactory, AuditLog audit, TimeProvider clock)
{
    /// <summary>The invitation a link's token opens, or why it opens none (used, revoked, expired, unknown).</summary>
    public async Task<Outcome<InvitationPreview>> PreviewAsync(string? token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindAsync(db, token, cancellationToken);
        return found.Succeeded
            ? new InvitationPreview(found.Value.Id, found.Value.WorkspaceId, found.Value.Workspace!.Name, found.Value.Email, found.Value.Role, found.Value.ExpiresAt)
            : found.Failure;
    }

    public async Task<Outcome<Member>> ExecuteAsync(Actor actor, string? token, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindAsync(db, token, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var invitation = found.Value;
        var user = await db.Users.SingleOrDefaultAsync(u => u.Id == actor.UserId, cancellationToken);
        if (user is null || user.NormalizedEmail != invitation.NormalizedEmail)
        {
            return Failure.Forbidden(
                $"This invitation was sent to {invitation.Email}, but you are signed in as {user?.Email ?? "someone else"}. Sign in with the invited address to accept it.");
        }

        var now = clock.GetUtcNow();
        invitation.Status = InvitationStatus.Accepted;
        invitation.AcceptedAt = now;
        invitation.AcceptedByUserId = user.Id;
        invitation.TokenHash = null;

        var member = await db.Set<Member>().SingleOrDefaultAsync(m => m.WorkspaceId == invitation.WorkspaceId && m.UserId == user.Id, cancellationToken);
        if (member is null)
        {
            member = new Member
            {
                WorkspaceId = invitation.WorkspaceId,
                UserId = user.Id,
                Role = invitation.Role,
                JoinedAt = now,
                InvitedAt = invitation.CreatedAt,
            };
            db.Add(member);
            audit.Add(db, actor, "member.joined", invitation.WorkspaceId, "member", member.Id, new AuditChanges()
                .Field<string?>("invitation", null, invitation.Id)
                .Field<WorkspaceRole?>("role", null, member.Role));
        }

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return Failure.Conflict("You joined this workspace a moment ago.");
        }

        return member;
    }

    private async Task<Outcome<Invitation>> FindAsync(PortalDbContext db, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 100)
        {
            return Unusable();
        }

        var hash = InvitationTokens.Hash(token);
        var invitation = await db.Set<Invitation>().Include(i => i.Workspace).SingleOrDefaultAsync(i => i.TokenHash == hash, cancellationToken);
        if (invitation is null || invitation.Status != InvitationStatus.Pending || invitation.Workspace!.Status == WorkspaceStatus.Deleted)
        {
            return Unusable();
        }

        if (invitation.ExpiresAt <= clock.GetUtcNow())
        {
            return Failure.Invalid("token", "This invitation has expired. Ask the person who invited you to send it again.");
        }

        return invitation.Workspace.Status == WorkspaceStatus.Suspended
            ? Failure.Forbidden("The workspace of this invitation is suspended.")
            : invitation;
    }

    // Used, revoked and unknown links answer alike: a link is a secret, and a wrong one reveals nothing.
    private static Failure Unusable() =>
        new(FailureCode.NotFound, "This invitation link is not valid: it was used, revoked or replaced by a newer one.");
}
