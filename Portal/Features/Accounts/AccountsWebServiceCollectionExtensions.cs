using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.RateLimiting;
using Portal.Features.Operations;
using Portal.Hosting;

namespace Portal.Features.Accounts;

public static class AccountsWebServiceCollectionExtensions
{
    public const string FormPostsRateLimit = "account-form-posts";
    public const string PasswordStrengthRateLimit = "password-strength";

    /// <summary>Identity's cookies with the session rules, the per-IP limit on account forms, and Blazor's view of the user.</summary>
    public static IServiceCollection AddAccountsWeb(this IServiceCollection services)
    {
        services.AddAuthentication(options =>
            {
                options.DefaultScheme = IdentityConstants.ApplicationScheme;
                options.DefaultSignInScheme = IdentityConstants.ExternalScheme;
            })
            .AddIdentityCookies();

        services.AddOptions<CookieAuthenticationOptions>(IdentityConstants.ApplicationScheme)
            .Configure<IOptions<AccountOptions>, TimeProvider>((cookie, accounts, clock) =>
            {
                cookie.Cookie.Name = "authsome_session";
                cookie.Cookie.HttpOnly = true;
                cookie.Cookie.SameSite = SameSiteMode.Lax;
                cookie.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                cookie.LoginPath = "/Account/Login";
                cookie.LogoutPath = "/Account/Logout";
                cookie.AccessDeniedPath = "/Account/AccessDenied";
                cookie.ExpireTimeSpan = accounts.Value.SessionIdleTimeout;
                cookie.SlidingExpiration = true;
                cookie.TimeProvider = clock;
                cookie.Events.OnSigningIn = SessionLifetime.StampSignInTime;
                cookie.Events.OnValidatePrincipal = SessionLifetime.ValidateAsync;
            });

        services.AddScoped<AuthenticationStateProvider, RevalidatingIdentityAuthenticationStateProvider>();
        services.AddScoped<IdentityRedirectManager>();

        services.AddFixedWindowLimiter();
        services.AddRateLimiter(limiter =>
        {
            limiter.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            limiter.OnRejected = async (context, cancellationToken) =>
            {
                var retryAfter = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                context.HttpContext.Response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync(
                    "Too many attempts from your network. Wait a minute, then try again.", cancellationToken);
            };
            // Page requests (GET) are free; what is limited is the attempts (POST).
            limiter.AddPolicy(FormPostsRateLimit, http => HttpMethods.IsPost(http.Request.Method)
                ? PerClientIp(http, FormPostsRateLimit, http.RequestServices.GetRequiredService<IOptions<AccountOptions>>().Value.FormPostsPerMinutePerIp)
                : RateLimitPartition.GetNoLimiter(""));
            limiter.AddPolicy(PasswordStrengthRateLimit, http => PerClientIp(http, PasswordStrengthRateLimit, 120));
        });

        return services;
    }

    /// <summary>A per-minute limit for the client's IP address, shared by all replicas through Redis.</summary>
    private static RateLimitPartition<string> PerClientIp(HttpContext http, string policy, int permitsPerMinute) =>
        RateLimitPartition.Get(http.Connection.RemoteIpAddress?.ToString() ?? "unknown", ip => new RedisFixedWindowRateLimiter(
            http.RequestServices.GetRequiredService<FixedWindowLimiter>(),
            $"{http.RequestServices.GetRequiredService<PortalOptions>().RedisKeyPrefix}ratelimit:{policy}:{ip}",
            permitsPerMinute,
            TimeSpan.FromMinutes(1),
            http.RequestServices.GetRequiredService<TimeProvider>()));
}
