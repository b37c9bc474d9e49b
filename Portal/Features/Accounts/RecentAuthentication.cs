using System.Globalization;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;

namespace Portal.Features.Accounts;

/// <summary>
/// When the session's owner last proved the password: at sign-in, or again on a page that asks for it. Kept in the
/// session cookie's properties (which survive sliding renewals and security-stamp refreshes) and compared with the
/// app's <see cref="TimeProvider"/>. Pages that reveal or replace second-factor secrets require it to be recent, so
/// a stolen cookie or an unattended browser is not enough.
/// </summary>
public static class RecentAuthentication
{
    internal const string PasswordConfirmedAtKey = ".authsome.password_confirmed_at";

    /// <summary>How long after the password was typed such pages open without asking for it again.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>Called at every sign-in (see <see cref="SessionLifetime"/>): a new session starts from a typed password.</summary>
    internal static void StampSignIn(AuthenticationProperties properties, DateTimeOffset now) =>
        properties.Items[PasswordConfirmedAtKey] = now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public static async Task<bool> IsRecentAsync(HttpContext http, TimeProvider clock)
    {
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        return session.Succeeded
            && session.Properties!.Items.TryGetValue(PasswordConfirmedAtKey, out var stamp)
            && long.TryParse(stamp, CultureInfo.InvariantCulture, out var seconds)
            && clock.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds) is var age
            && age >= TimeSpan.Zero && age <= Window;
    }

    /// <summary>Records that the password was just checked, by re-issuing the session cookie with the new time.</summary>
    public static async Task ConfirmAsync(HttpContext http, TimeProvider clock)
    {
        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        if (!session.Succeeded)
        {
            return;
        }

        StampSignIn(session.Properties!, clock.GetUtcNow());
        await http.SignInAsync(IdentityConstants.ApplicationScheme, session.Principal!, session.Properties);
    }
}
