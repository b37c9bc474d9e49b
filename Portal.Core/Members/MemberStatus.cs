namespace Portal.Core.Members;

/// <summary>A row of the members list: a member, or an invitation not yet accepted.</summary>
public enum MemberStatus
{
    Active,
    Invited,
    Expired,
}
