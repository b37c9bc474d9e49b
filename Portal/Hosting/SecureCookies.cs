using Microsoft.AspNetCore.Authentication.Cookies;

namespace Portal.Hosting;

/// <summary>
/// Outside Development every cookie is Secure, even when the request reached the pod over plain HTTP from the
/// ingress: the authentication schemes' cookies (session, 2FA user id, remember-this-browser, external) by their own
/// option, and every other one (antiforgery, status messages) through the cookie policy, which rewrites every
/// Set-Cookie. Antiforgery's own option stays as it is, because set to Always it refuses plain-HTTP requests.
/// </summary>
public static class SecureCookies
{
    public static IServiceCollection AddSecureCookies(this IServiceCollection services, bool development)
    {
        if (development)
        {
            return services;
        }

        services.PostConfigureAll<CookieAuthenticationOptions>(cookie => cookie.Cookie.SecurePolicy = CookieSecurePolicy.Always);
        services.Configure<CookiePolicyOptions>(policy => policy.Secure = CookieSecurePolicy.Always);
        return services;
    }
}
