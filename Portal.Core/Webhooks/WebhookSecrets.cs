using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;

namespace Portal.Core.Webhooks;

/// <summary>Endpoint signing secrets: <c>whsec_</c> and 32 random bytes in base62, encrypted at rest with Data Protection.</summary>
public sealed class WebhookSecrets(IDataProtectionProvider dataProtection)
{
    public const string Prefix = "whsec_";

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    /// <summary>43 base62 characters carry at least 256 bits.</summary>
    public const int RandomLength = 43;

    private readonly IDataProtector _protector = dataProtection.CreateProtector("Portal.Webhooks.EndpointSecrets");

    public static string New() => Prefix + RandomNumberGenerator.GetString(Alphabet, RandomLength);

    public string Protect(string secret) => _protector.Protect(secret);

    public string Unprotect(string protectedSecret) => _protector.Unprotect(protectedSecret);
}
