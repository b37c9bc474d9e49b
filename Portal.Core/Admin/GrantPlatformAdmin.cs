using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Portal.Core.Accounts;

namespace Portal.Core.Admin;

/// <summary>Makes an existing account a platform administrator (the <c>grant-admin</c> command).</summary>
public sealed partial class GrantPlatformAdmin(UserManager<PortalUser> users, ILogger<GrantPlatformAdmin> logger)
{
    public async Task<IdentityResult> ExecuteAsync(string email)
    {
        var user = await users.FindByEmailAsync(email.Trim());
        if (user is null)
        {
            return IdentityResult.Failed(new IdentityError
            {
                Code = "UnknownUser",
                Description = $"No account has the email '{email}'. Register it first.",
            });
        }

        if (user.IsPlatformAdmin)
        {
            return IdentityResult.Success;
        }

        user.IsPlatformAdmin = true;
        var result = await users.UpdateAsync(user);
        if (result.Succeeded)
        {
            // A new stamp refreshes the account's sessions, so they pick up the new claim at once.
            await users.UpdateSecurityStampAsync(user);
            LogGranted(logger, user.Id);
        }

        return result;
    }

    [LoggerMessage(LogLevel.Warning, "Platform administration granted to user {UserId}")]
    private static partial void LogGranted(ILogger logger, string userId);
}
