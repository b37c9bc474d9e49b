namespace Portal.Core.Members;

public enum InvitationStatus
{
    Pending,
    Accepted,
    Revoked,
}
