using System.Security.Claims;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Admin;

namespace Portal.Core.Accounts;

/// <summary>Adds the display name and the platform-administrator flag to the signed-in principal.</summary>
public sealed class PortalClaimsPrincipalFactory(
    UserManager<PortalUser> userManager,
    IOptions<IdentityOptions> identityOptions,
    IOptionsMonitor<PlatformAdminOptions> platformAdmins)
    : UserClaimsPrincipalFactory<PortalUser>(userManager, identityOptions)
{
    protected override async Task<ClaimsIdentity> GenerateClaimsAsync(PortalUser user)
    {
        var identity = await base.GenerateClaimsAsync(user);
        if (!string.IsNullOrWhiteSpace(user.DisplayName))
        {
            identity.AddClaim(new Claim(PortalClaimTypes.DisplayName, user.DisplayName));
        }

        if (platformAdmins.CurrentValue.IsPlatformAdmin(user))
        {
            identity.AddClaim(new Claim(PortalClaimTypes.PlatformAdmin, "true"));
        }

        return identity;
    }
}
