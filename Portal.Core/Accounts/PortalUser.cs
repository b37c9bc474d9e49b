using Microsoft.AspNetCore.Identity;

namespace Portal.Core.Accounts;

public class PortalUser : IdentityUser
{
    public PortalUser()
    {
        Id = Ids.New("usr");
        SecurityStamp = Guid.NewGuid().ToString();
    }

    [PersonalData]
    public string? DisplayName { get; set; }

    public bool PrefersDarkMode { get; set; }

    /// <summary>Set by the <c>grant-admin</c> command; <c>Portal:PlatformAdmins</c> names more admins by email.</summary>
    public bool IsPlatformAdmin { get; set; }

    /// <summary>The last TOTP time step accepted, so that a code is never accepted twice.</summary>
    public long LastTotpTimeStep { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Set by a platform administrator: the account cannot sign in, and its sessions have ended.</summary>
    public DateTimeOffset? SuspendedAt { get; set; }

    public string? SuspensionReason { get; set; }
}
