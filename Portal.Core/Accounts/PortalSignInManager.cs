using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Portal.Core.Audit;

namespace Portal.Core.Accounts;

/// <summary>
/// Identity's sign-in with two additions: a suspended account cannot sign in by any route (password, authenticator
/// code, recovery code), and every sign-in, failed sign-in and sign-out is recorded in the audit log with the client's
/// address, user agent and request id.
/// </summary>
public sealed class PortalSignInManager(
    UserManager<PortalUser> userManager,
    IHttpContextAccessor contextAccessor,
    IUserClaimsPrincipalFactory<PortalUser> claimsFactory,
    IOptions<IdentityOptions> optionsAccessor,
    ILogger<SignInManager<PortalUser>> logger,
    IAuthenticationSchemeProvider schemes,
    IUserConfirmation<PortalUser> confirmation,
    AccountAudit audit)
    : SignInManager<PortalUser>(userManager, contextAccessor, claimsFactory, optionsAccessor, logger, schemes, confirmation)
{
    public override async Task<bool> CanSignInAsync(PortalUser user) =>
        user.SuspendedAt is null && await base.CanSignInAsync(user);

    public override async Task<SignInResult> PasswordSignInAsync(string userName, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var user = await UserManager.FindByNameAsync(userName);
        if (user is null)
        {
            // Nobody to name as the actor: the email typed is kept (it is no secret), so that guessing shows in the log.
            await RecordAsync(new Actor(ActorTypes.User, null, Truncate(userName, 256), null, Client.IpAddress, Client.UserAgent, Client.RequestId),
                AuditActions.UserSignInFailed, null, SignInFailureReasons.UnknownEmail);
            return SignInResult.Failed;
        }

        return await PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
    }

    public override async Task<SignInResult> PasswordSignInAsync(PortalUser user, string password, bool isPersistent, bool lockoutOnFailure)
    {
        var result = await base.PasswordSignInAsync(user, password, isPersistent, lockoutOnFailure);
        // RequiresTwoFactor is not a sign-in yet: the second step records the outcome.
        if (!result.RequiresTwoFactor)
        {
            await RecordOutcomeAsync(user, result, "password", SignInFailureReasons.BadPassword);
        }

        return result;
    }

    public override async Task<SignInResult> TwoFactorAuthenticatorSignInAsync(string code, bool isPersistent, bool rememberClient)
    {
        var user = await GetTwoFactorAuthenticationUserAsync();
        var result = await base.TwoFactorAuthenticatorSignInAsync(code, isPersistent, rememberClient);
        if (user is not null)
        {
            await RecordOutcomeAsync(user, result, "authenticator", SignInFailureReasons.BadCode);
        }

        return result;
    }

    public override async Task<SignInResult> TwoFactorRecoveryCodeSignInAsync(string recoveryCode)
    {
        var user = await GetTwoFactorAuthenticationUserAsync();
        var result = await base.TwoFactorRecoveryCodeSignInAsync(recoveryCode);
        if (user is not null)
        {
            await RecordOutcomeAsync(user, result, "recovery_code", SignInFailureReasons.BadCode);
        }

        return result;
    }

    public override async Task SignOutAsync()
    {
        var principal = Context.User;
        await base.SignOutAsync();
        if (principal.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId)
        {
            await RecordAsync(Actor.User(userId, principal.FindFirstValue(ClaimTypes.Email) ?? principal.Identity?.Name, Client),
                AuditActions.UserSignedOut, userId);
        }
    }

    /// <summary>The client of the current request, as audit events record it.</summary>
    public ClientInfo Client => ClientInfo.Create(
        Context.Connection.RemoteIpAddress?.ToString(), Context.Request.Headers.UserAgent.ToString(), Context.TraceIdentifier);

    private Task RecordOutcomeAsync(PortalUser user, SignInResult result, string method, string failureReason)
    {
        var actor = Actor.User(user.Id, user.Email, Client);
        if (result.Succeeded)
        {
            return RecordAsync(actor, AuditActions.UserSignedIn, user.Id, method: method);
        }

        var reason = result.IsLockedOut ? SignInFailureReasons.LockedOut
            : !result.IsNotAllowed ? failureReason
            : user.SuspendedAt is not null ? SignInFailureReasons.Suspended
            : SignInFailureReasons.NotAllowed;
        return RecordAsync(actor, AuditActions.UserSignInFailed, user.Id, reason, method);
    }

    private Task RecordAsync(Actor actor, string action, string? userId, string? reason = null, string? method = null)
    {
        var details = new AuditChanges();
        if (method is not null)
        {
            details.Field<string?>("method", null, method);
        }

        if (reason is not null)
        {
            details.Field<string?>("reason", null, reason);
        }

        // Not the request's token: a client that goes away must not take the record of its attempt with it.
        return audit.RecordAsync(actor, action, userId, details, CancellationToken.None);
    }

    private static string Truncate(string value, int length) => value.Length > length ? value[..length] : value;
}
