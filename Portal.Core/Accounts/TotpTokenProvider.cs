using Microsoft.AspNetCore.Identity;
using OtpNet;

namespace Portal.Core.Accounts;

/// <summary>
/// Authenticator-app (RFC 6238) codes, checked against the injected clock, each accepted at most once:
/// a code whose time step is not after the last accepted one is refused, so a captured code cannot be replayed.
/// </summary>
public sealed class TotpTokenProvider(TimeProvider clock) : IUserTwoFactorTokenProvider<PortalUser>
{
    public const string ProviderName = "AuthSomeTotp";

    // One step of drift either way, as authenticator apps and phones' clocks are often off by a few seconds.
    private static readonly VerificationWindow Window = new(previous: 1, future: 1);

    public async Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<PortalUser> manager, PortalUser user) =>
        !string.IsNullOrEmpty(await manager.GetAuthenticatorKeyAsync(user));

    // Codes come from the user's app, never from us.
    public Task<string> GenerateAsync(string purpose, UserManager<PortalUser> manager, PortalUser user) =>
        Task.FromResult(string.Empty);

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<PortalUser> manager, PortalUser user)
    {
        var code = token.Replace(" ", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal);
        if (code.Length != 6 || !code.All(char.IsAsciiDigit))
        {
            return false;
        }

        var key = await manager.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            return false;
        }

        var totp = new Totp(Base32Encoding.ToBytes(key));
        if (!totp.VerifyTotp(clock.GetUtcNow().UtcDateTime, code, out var step, Window) || step <= user.LastTotpTimeStep)
        {
            return false;
        }

        // Saved with the user's concurrency stamp: of two concurrent uses of one code, only one succeeds.
        user.LastTotpTimeStep = step;
        var saved = await manager.UpdateAsync(user);
        return saved.Succeeded;
    }
}
