using Portal.Core.Accounts;

namespace Portal.Core.Admin;

/// <summary>The <c>Portal:PlatformAdmins</c> setting: emails of platform administrators.</summary>
public sealed class PlatformAdminOptions
{
    public const string Section = "Portal";

    public IList<string> PlatformAdmins { get; init; } = [];

    public bool IsPlatformAdmin(PortalUser user) =>
        user.IsPlatformAdmin
        || (user.EmailConfirmed && user.Email is { } email
            && PlatformAdmins.Any(admin => string.Equals(admin.Trim(), email, StringComparison.OrdinalIgnoreCase)));
}
