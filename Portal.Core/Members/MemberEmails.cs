using Portal.Core.Notifications;
using Portal.Core.Workspaces;

namespace Portal.Core.Members;

/// <summary>The emails members receive when they are invited, their role changes or they are removed.</summary>
public sealed class MemberEmails(Mailer mailer)
{
    public Task SendInvitationAsync(
        string email, string workspaceName, WorkspaceRole role, string? inviterName, string link, DateTimeOffset expiresAt, CancellationToken cancellationToken = default) =>
        mailer.SendAsync(EmailTemplate.Create(email, $"Join {workspaceName} on AuthSome Cloud",
            [
                $"{inviterName ?? "A teammate"} invited you to the workspace {workspaceName} as {Describe(role)}.",
                $"The link works once, until {expiresAt:d MMMM yyyy HH:mm} UTC. If you do not have an account, you create one from the link.",
                "If you did not expect this invitation, ignore this message.",
            ],
            ("Accept invitation", link)), cancellationToken);

    public Task SendRoleChangedAsync(string email, string workspaceName, WorkspaceRole before, WorkspaceRole after, CancellationToken cancellationToken = default) =>
        mailer.SendAsync(EmailTemplate.Create(email, $"Your role in {workspaceName} changed",
            [$"Your role in the workspace {workspaceName} changed from {Describe(before)} to {Describe(after)}."]), cancellationToken);

    public Task SendRemovedAsync(string email, string workspaceName, CancellationToken cancellationToken = default) =>
        mailer.SendAsync(EmailTemplate.Create(email, $"You were removed from {workspaceName}",
            [$"You are no longer a member of the workspace {workspaceName} on AuthSome Cloud.", "If you think this is a mistake, ask one of its owners or admins."]),
            cancellationToken);

    private static string Describe(WorkspaceRole role) => role switch
    {
        WorkspaceRole.Owner => "an owner",
        WorkspaceRole.Admin => "an admin",
        _ => $"a {role.ToString().ToLowerInvariant()}",
    };
}
