using System.Globalization;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using Portal.Core.Accounts;
using Portal.Core.ApiTokens;
using Portal.Core.Audit;
using Portal.Features.ControlApi;
using Portal.Features.Workspaces;

namespace Portal.Features.ApiTokens;

/// <summary><c>POST /control/v1/auth/login</c>: email, password (and a TOTP code when 2FA is on) for a one-hour bearer token.</summary>
public static class ApiTokensEndpoints
{
    /// <summary>What an unknown email's password is checked against (the default hasher, as the portal uses).</summary>
    private static readonly string UnknownUserHash = new PasswordHasher<PortalUser>().HashPassword(new PortalUser(), "an account that does not exist");

    [JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
    public sealed record LoginRequest(string? Email, string? Password, string? Totp);

    public sealed record LoginResponse(string Token, string TokenType, DateTimeOffset ExpiresAt);

    public static RouteGroupBuilder MapApiTokensEndpoints(this RouteGroupBuilder api)
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
        AccountAudit audit,
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

        var email = request.Email.Trim();
        var client = http.GetClientInfo();
        var user = await users.FindByEmailAsync(email);
        if (user is null)
        {
            // As long as a wrong password takes, so that the answer's time does not tell which emails have accounts.
            users.PasswordHasher.VerifyHashedPassword(new PortalUser(), UnknownUserHash, request.Password);
            await RecordFailureAsync(audit, new Actor(ActorTypes.User, null, email, null, client.IpAddress, client.UserAgent, client.RequestId),
                null, SignInFailureReasons.UnknownEmail);
            return Refused(identity.Value);
        }

        var actor = Actor.User(user.Id, user.Email, client);
        // A locked account answers like a wrong password, and its password is not checked: checking it would let
        // guesses go on during the lockout (a right one told apart), and a distinct answer would tell that the email
        // has an account. The lockout stops password sign-in only; the user's tokens keep working.
        if (await users.IsLockedOutAsync(user))
        {
            await RecordFailureAsync(audit, actor, user.Id, SignInFailureReasons.LockedOut);
            return Refused(identity.Value);
        }

        // The password first: only whoever knows it learns the account's state (unconfirmed, suspended, two-factor).
        if (!await users.CheckPasswordAsync(user, request.Password))
        {
            // Five wrong passwords lock the account for a while, as on the sign-in page.
            await users.AccessFailedAsync(user);
            await RecordFailureAsync(audit, actor, user.Id, SignInFailureReasons.BadPassword);
            return Refused(identity.Value);
        }

        if (user.SuspendedAt is not null)
        {
            await RecordFailureAsync(audit, actor, user.Id, SignInFailureReasons.Suspended);
            return new ApiError(StatusCodes.Status401Unauthorized, ApiError.Unauthorized,
                "This account is suspended by the platform's administrators.", new Dictionary<string, object?> { ["suspended"] = true });
        }

        if (!await users.IsEmailConfirmedAsync(user))
        {
            await RecordFailureAsync(audit, actor, user.Id, SignInFailureReasons.NotAllowed);
            return new ApiError(StatusCodes.Status401Unauthorized, ApiError.Unauthorized,
                "Confirm your email address first: open the link we emailed you.", new Dictionary<string, object?> { ["emailNotConfirmed"] = true });
        }

        if (await users.GetTwoFactorEnabledAsync(user))
        {
            // Not a failure yet: the caller sends the code next (the portal's sign-in records only the second step too).
            if (string.IsNullOrWhiteSpace(request.Totp))
            {
                return new ApiError(StatusCodes.Status401Unauthorized, ApiError.Unauthorized,
                    "This account uses two-factor authentication: send the code of your authenticator app as totp.",
                    new Dictionary<string, object?> { ["twoFactorRequired"] = true });
            }

            if (!await users.VerifyTwoFactorTokenAsync(user, identity.Value.Tokens.AuthenticatorTokenProvider, request.Totp))
            {
                await users.AccessFailedAsync(user);
                await RecordFailureAsync(audit, actor, user.Id, SignInFailureReasons.BadCode);
                return new ApiError(StatusCodes.Status401Unauthorized, ApiError.Unauthorized,
                    "The two-factor code is wrong, expired or already used.", new Dictionary<string, object?> { ["twoFactorRequired"] = true });
            }
        }

        await users.ResetAccessFailedCountAsync(user);
        var created = await tokens.CreateSessionAsync(user, http.GetClientInfo(), http.RequestAborted);
        return TypedResults.Ok(new LoginResponse(created.Secret, "Bearer", created.Token.ExpiresAt!.Value));
    }

    /// <summary>
    /// One answer for an unknown email, a wrong password and a locked account (see <see cref="LoginAsync"/>); it names
    /// the lockout so that a user who is locked out knows to wait or reset the password.
    /// </summary>
    private static ApiError Refused(IdentityOptions identity) =>
        new(StatusCodes.Status401Unauthorized, ApiError.Unauthorized, string.Create(CultureInfo.InvariantCulture,
            $"The email or password is wrong. After {identity.Lockout.MaxFailedAccessAttempts} failed attempts the account is locked for {identity.Lockout.DefaultLockoutTimeSpan.TotalMinutes:0} minutes; reset the password if you forgot it."));

    /// <summary>A failed API login, recorded like the portal's failed sign-ins (<c>user.sign_in_failed</c>, method <c>api</c>).</summary>
    private static Task RecordFailureAsync(AccountAudit audit, Actor actor, string? userId, string reason) =>
        // Not the request's token: a client that goes away must not take the record of its attempt with it.
        audit.RecordAsync(actor, AuditActions.UserSignInFailed, userId,
            new AuditChanges().Field<string?>("method", null, "api").Field<string?>("reason", null, reason), CancellationToken.None);

}
