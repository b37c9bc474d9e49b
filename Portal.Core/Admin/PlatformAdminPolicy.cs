using Microsoft.AspNetCore.Authorization;
using Portal.Core.Accounts;

namespace Portal.Core.Admin;

public static class PlatformAdminPolicy
{
    public const string Name = "PlatformAdmin";

    public static void Configure(AuthorizationPolicyBuilder policy) =>
        policy.RequireAuthenticatedUser().RequireClaim(PortalClaimTypes.PlatformAdmin, "true");
}
