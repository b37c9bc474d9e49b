namespace Portal.Core.Accounts;

public static class PortalClaimTypes
{
    public const string DisplayName = "display_name";
    public const string PlatformAdmin = "platform_admin";
}
