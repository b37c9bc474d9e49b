using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Portal.Core.Workspaces;

namespace Portal.Core.Members;

/// <summary>
/// Emails a pending invitation with a fresh link. The token is made here, in the job, so that it never sits in a job's
/// arguments; running twice sends two emails of which only the latest link works.
/// </summary>
public sealed class SendInvitation(IDbContextFactory<PortalDbContext> dbFactory, MemberEmails emails, TimeProvider clock)
{
    public const string AcceptPath = "invitations/accept";

    public async Task<bool> ExecuteAsync(string invitationId, Uri portalUrl, CancellationToken cancellationToken = default)
    {
        await using var db = await dbFactory.CreateDbContextAsync(cancellationToken);
        var invitation = await db.Set<Invitation>()
            .Include(i => i.Workspace)
            .SingleOrDefaultAsync(i => i.Id == invitationId, cancellationToken);
        var now = clock.GetUtcNow();
        if (invitation is not { Status: InvitationStatus.Pending } || invitation.ExpiresAt <= now
            || invitation.Workspace!.Status != WorkspaceStatus.Active)
        {
            return false;
        }

        var inviter = invitation.InvitedByUserId is null
            ? null
            : await db.Users.Where(u => u.Id == invitation.InvitedByUserId).Select(u => u.DisplayName ?? u.Email).FirstOrDefaultAsync(cancellationToken);

        var token = InvitationTokens.New();
        invitation.TokenHash = InvitationTokens.Hash(token);
        invitation.SentAt = now;
        await db.SaveChangesAsync(cancellationToken);

        var link = QueryHelpers.AddQueryString(new Uri(portalUrl, AcceptPath).AbsoluteUri, "token", token);
        await emails.SendInvitationAsync(invitation.Email, invitation.Workspace.Name, invitation.Role, inviter, link, invitation.ExpiresAt, cancellationToken);
        return true;
    }
}
