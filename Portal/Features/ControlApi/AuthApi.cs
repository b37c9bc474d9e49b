using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.ApiTokens;
using Portal.Features.Workspaces;

namespace Portal.Features.ControlApi;

/// <summary><c>POST /control/v1/auth/login</c>: email, password (and a TOTP code when 2FA is on) for a one-hour bearer token.</summary>
public static class AuthApi
{
    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record LoginRequest(string? Email, string? Password, string? Totp);

    public sealed record LoginResponse(string Token, string TokenType, DateTimeOffset ExpiresAt);

    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/login", LoginAsync)
            .WithTags("Authentication")
            .WithName("Login").WithSummary("Exchange email, password and (with 2FA on) a TOTP code for a bearer token valid one hour")
            .AllowAnonymous();
        return api;
    }

    private static async Task<Results<Ok<LoginResponse>, ApiError>> LoginAsync(
        [FromBody] LoginRequest request,
        HttpContext http,
        UserManager<PortalUser> users,
        SignInManager<PortalUser> signIn,
        IssueApiToken tokens,
        ControlApiRateLimiter limiter,
        IOptions<ControlApiOptions> options,
        IOptions<IdentityOptions> identity)
    {
        var perIp = options.Value.LoginAttemptsPerMinutePerIp;
        var decision = await limiter.AcquireAsync($"login:{http.Connection.RemoteIpAddress}", new PlanRateLimit { PerMinute = perIp, PerDay = perIp * 60 * 24 });
        decision.WriteHeaders(http.Response);
        if (!decision.Allowed)
        {
            return decision.ToError();
        }

        if (string.IsNullOrWhiteSpace(request.Email) || request.Email.Length > 256)
        {
            return ApiError.Invalid("Enter your email address.", "email");
        }

        if (string.IsNullOrEmpty(request.Password) || request.Password.Length > PasswordStrength.MaximumLength)
        {
            return ApiError.Invalid("Enter your password.", "password");
        }

        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (user is null)
        {
            return Refused();
        }

        // Lockout applies here as on the sign-in page: five wrong passwords lock the account for a while.
        var checkedPassword = await signIn.CheckPasswordSignInAsync(user, request.Password, lockoutOnFailure: true);
        if (checkedPassword.IsLockedOut)
        {
            return new ApiError(StatusCodes.Status401Unauthorized, ApiError.Unauthorized,
                "This account is locked after too many failed attempts; try again later or reset the password.",
                new Dictionary<string, object?> { ["lockedOut"] = true });
        }

        if (checkedPassword.IsNotAllowed || (checkedPassword.Succeeded && !await users.IsEmailConfirmedAsync(user)))
        {
            return new ApiError(StatusCodes.Status401Unauthorized, ApiError.Unauthorized,
                "Confirm your email address first: open the link we emailed you.", new Dictionary<string, object?> { ["emailNotConfirmed"] = true });
        }

        // CheckPasswordSignInAsync reports RequiresTwoFactor only for users with 2FA on; it never signs anyone in.
        if (!checkedPassword.Succeeded && !checkedPassword.RequiresTwoFactor)
        {
            return Refused();
        }

        if (await users.GetTwoFactorEnabledAsync(user))
        {
            if (string.IsNullOrWhiteSpace(request.Totp))
            {
                return new ApiError(StatusCodes.Status401Unauthorized, ApiError.Unauthorized,
                    "This account uses two-factor authentication: send the code of your authenticator app as totp.",
                    new Dictionary<string, object?> { ["twoFactorRequired"] = true });
            }

            if (!await users.VerifyTwoFactorTokenAsync(user, identity.Value.Tokens.AuthenticatorTokenProvider, request.Totp))
            {
                await users.AccessFailedAsync(user);
                return new ApiError(StatusCodes.Status401Unauthorized, ApiError.Unauthorized,
                    "The two-factor code is wrong, expired or already used.", new Dictionary<string, object?> { ["twoFactorRequired"] = true });
            }

            await users.ResetAccessFailedCountAsync(user);
        }

        var created = await tokens.CreateSessionAsync(user, http.GetClientInfo(), http.RequestAborted);
        return TypedResults.Ok(new LoginResponse(created.Secret, "Bearer", created.Token.ExpiresAt!.Value));
    }

    private static ApiError Refused() =>
        new(StatusCodes.Status401Unauthorized, ApiError.Unauthorized, "The email or password is wrong.");
}
