using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Core.Provisioning;

/// <summary>Generates tenant secrets and keeps them encrypted at rest with Data Protection.</summary>
public sealed class TenantSecrets(IDataProtectionProvider dataProtection)
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Portal.Provisioning.TenantCredentials");

    /// <summary>40 base62 characters (about 238 bits): safe in URLs and SQL literals without escaping.</summary>
    public static string NewPassword() => RandomNumberGenerator.GetString(Alphabet, 40);

    /// <summary>A 256-bit key, base64url, that the instance signs its tokens with.</summary>
    public static string NewSigningKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
