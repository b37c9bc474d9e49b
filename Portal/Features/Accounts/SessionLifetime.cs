using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;

namespace Portal.Features.Accounts;

/// <summary>
/// The absolute session lifetime: the sign-in time is kept in the cookie's properties (which survive sliding renewals
/// and security-stamp refreshes), and a session older than the limit is rejected whatever its activity.
/// </summary>
public static class SessionLifetime
{
    private const string SignedInAtKey = ".authsome.signed_in_at";

    public static Task StampSignInTime(CookieSigningInContext context)
    {
        if (!context.Properties.Items.ContainsKey(SignedInAtKey))
        {
            var now = context.Options.TimeProvider!.GetUtcNow();
            context.Properties.Items[SignedInAtKey] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
            RecentAuthentication.StampSignIn(context.Properties, now);
        }

        return Task.CompletedTask;
    }

    public static async Task ValidateAsync(CookieValidatePrincipalContext context)
    {
        var lifetime = context.HttpContext.RequestServices.GetRequiredService<IOptions<AccountOptions>>().Value.SessionAbsoluteLifetime;
        var now = context.Options.TimeProvider!.GetUtcNow();
        if (!context.Properties.Items.TryGetValue(SignedInAtKey, out var stamp)
            || !long.TryParse(stamp, CultureInfo.InvariantCulture, out var seconds)
            || now - DateTimeOffset.FromUnixTimeSeconds(seconds) > lifetime)
        {
            context.RejectPrincipal();
            await context.HttpContext.SignOutAsync(IdentityConstants.ApplicationScheme);
            return;
        }

        await SecurityStampValidator.ValidatePrincipalAsync(context);
    }
}
