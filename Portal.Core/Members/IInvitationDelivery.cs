namespace Portal.Core.Members;

/// <summary>Sends an invitation's email in the background (a Hangfire job), so inviting never waits on the mail server.</summary>
public interface IInvitationDelivery
{
    /// <param name="portalUrl">The portal's address the link points to.</param>
    void Schedule(string invitationId, Uri portalUrl);
}
