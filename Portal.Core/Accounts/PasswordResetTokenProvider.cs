using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;

namespace Portal.Core.Accounts;

/// <summary>
/// Password-reset tokens: encrypted (Data Protection) creation time, user, purpose and security stamp. They expire by the
/// injected clock after <see cref="AccountOptions.PasswordResetLinkLifetime"/>, and the reset changes the security stamp,
/// so a link works once.
/// </summary>
public sealed class PasswordResetTokenProvider(IDataProtectionProvider dataProtection, TimeProvider clock, IOptions<AccountOptions> options)
    : IUserTwoFactorTokenProvider<PortalUser>
{
    public const string ProviderName = "PasswordReset";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Portal.Accounts.PasswordReset.v1");

    public Task<bool> CanGenerateTwoFactorTokenAsync(UserManager<PortalUser> manager, PortalUser user) => Task.FromResult(false);

    public async Task<string> GenerateAsync(string purpose, UserManager<PortalUser> manager, PortalUser user)
    {
        using var buffer = new MemoryStream();
        await using (var writer = new BinaryWriter(buffer))
        {
            writer.Write(clock.GetUtcNow().UtcTicks);
            writer.Write(user.Id);
            writer.Write(purpose);
            writer.Write(await manager.GetSecurityStampAsync(user));
        }

        return Convert.ToBase64String(_protector.Protect(buffer.ToArray()));
    }

    public async Task<bool> ValidateAsync(string purpose, string token, UserManager<PortalUser> manager, PortalUser user)
    {
        byte[] payload;
        try
        {
            payload = _protector.Unprotect(Convert.FromBase64String(token));
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            return false;
        }

        using var reader = new BinaryReader(new MemoryStream(payload));
        var created = new DateTimeOffset(reader.ReadInt64(), TimeSpan.Zero);
        var now = clock.GetUtcNow();
        if (now < created || now > created + options.Value.PasswordResetLinkLifetime)
        {
            return false;
        }

        return reader.ReadString() == user.Id
            && reader.ReadString() == purpose
            && reader.ReadString() == await manager.GetSecurityStampAsync(user);
    }
}
