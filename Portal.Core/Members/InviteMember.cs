using System.ComponentModel.DataAnnotations;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;
using Portal.Core.Workspaces;

namespace Portal.Core.Members;

/// <summary>Invitations: send, resend and revoke. The email itself goes out from a background job.</summary>
public sealed class InviteMember(
    IDbContextFactory<PortalDbContext> dbFactory,
    AuditLog audit,
    TimeProvider clock,
    IOptions<WorkspaceOptions> options,
    IInvitationDelivery delivery)
{
    private static readonly EmailAddressAttribute EmailFormat = new();

    public async Task<Outcome<Invitation>> ExecuteAsync(
        Actor actor, string workspaceId, string? email, WorkspaceRole? role, Uri portalUrl, CancellationToken cancellationToken = default)
    {
        email = email?.Trim();
        if (string.IsNullOrEmpty(email) || email.Length > 256 || TextRules.HasForbiddenCharacters(email) || !EmailFormat.IsValid(email))
        {
            return Failure.Invalid("email", "Enter a valid email address.");
        }

        if (role is not { } invitedRole || !Enum.IsDefined(invitedRole))
        {
            return Failure.Invalid("role", "Choose a role: owner, admin, developer, billing or viewer.");
        }

        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var access = await WorkspaceAccess.RequireAsync(db, actor.UserId, workspaceId, WorkspacePermission.ManageMembers, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        if (invitedRole == WorkspaceRole.Owner && access.Value.Role != WorkspaceRole.Owner)
        {
            return Failure.Forbidden("Only an owner can invite another owner.");
        }

        var normalized = InvitationTokens.NormalizeEmail(email);
        if (await db.Set<Member>().AnyAsync(m => m.WorkspaceId == workspaceId && m.User!.NormalizedEmail == normalized, cancellationToken))
        {
            return Failure.Conflict($"{email} is already a member of this workspace.", "email");
        }

        if (await db.Set<Invitation>().AnyAsync(i => i.WorkspaceId == workspaceId && i.NormalizedEmail == normalized && i.Status == InvitationStatus.Pending, cancellationToken))
        {
            return AlreadyInvited(email);
        }

        var now = clock.GetUtcNow();
        var invitation = new Invitation
        {
            WorkspaceId = workspaceId,
            Email = email,
            NormalizedEmail = normalized,
            Role = invitedRole,
            InvitedByUserId = actor.UserId,
            CreatedAt = now,
            ExpiresAt = now + options.Value.InvitationLifetime,
        };
        db.Add(invitation);
        audit.Add(db, actor, "invitation.created", workspaceId, "invitation", invitation.Id, new AuditChanges()
            .Field<string?>("email", null, email)
            .Field<WorkspaceRole?>("role", null, invitedRole));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException e) when (e.IsUniqueViolation())
        {
            return AlreadyInvited(email);
        }

        delivery.Schedule(invitation.Id, portalUrl);
        return invitation;
    }

    /// <summary>Sends a pending invitation again with a new link valid for the full lifetime; earlier links stop working.</summary>
    public async Task<Outcome<Invitation>> ResendAsync(Actor actor, string workspaceId, string invitationId, Uri portalUrl, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindPendingAsync(db, actor, workspaceId, invitationId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var invitation = found.Value;
        var expiresAt = clock.GetUtcNow() + options.Value.InvitationLifetime;
        audit.Add(db, actor, "invitation.resent", workspaceId, "invitation", invitation.Id,
            new AuditChanges().Field("expiresAt", invitation.ExpiresAt, expiresAt));
        invitation.ExpiresAt = expiresAt;
        invitation.TokenHash = null;
        await db.SaveChangesAsync(cancellationToken);
        delivery.Schedule(invitation.Id, portalUrl);
        return invitation;
    }

    public async Task<Outcome<Invitation>> RevokeAsync(Actor actor, string workspaceId, string invitationId, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var found = await FindPendingAsync(db, actor, workspaceId, invitationId, cancellationToken);
        if (!found.Succeeded)
        {
            return found.Failure;
        }

        var invitation = found.Value;
        invitation.Status = InvitationStatus.Revoked;
        invitation.RevokedAt = clock.GetUtcNow();
        invitation.TokenHash = null;
        audit.Add(db, actor, "invitation.revoked", workspaceId, "invitation", invitation.Id,
            new AuditChanges().Field("status", InvitationStatus.Pending, InvitationStatus.Revoked));
        await db.SaveChangesAsync(cancellationToken);
        return invitation;
    }

    private static async Task<Outcome<Invitation>> FindPendingAsync(
        PortalDbContext db, Actor actor, string workspaceId, string invitationId, CancellationToken cancellationToken)
    {
        var access = await WorkspaceAccess.RequireAsync(db, actor.UserId, workspaceId, WorkspacePermission.ManageMembers, cancellationToken);
        if (!access.Succeeded)
        {
            return access.Failure;
        }

        var invitation = await db.Set<Invitation>().SingleOrDefaultAsync(
            i => i.Id == invitationId && i.WorkspaceId == workspaceId && i.Status == InvitationStatus.Pending, cancellationToken);
        if (invitation is null)
        {
            return Failure.NotFound("The invitation");
        }

        return invitation.Role == WorkspaceRole.Owner && access.Value.Role != WorkspaceRole.Owner
            ? Failure.Forbidden("Only an owner can change an invitation to become owner.")
            : invitation;
    }

    private static Failure AlreadyInvited(string email) =>
        Failure.Conflict($"{email} already has a pending invitation; resend it instead.", "email");
}
