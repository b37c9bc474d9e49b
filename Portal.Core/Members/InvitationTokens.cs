using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Members;

/// <summary>Invitation link tokens: 32 random bytes, URL-safe; only their SHA-256 hash is stored.</summary>
public static class InvitationTokens
{
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string NormalizeEmail(string email) => email.Trim().ToUpperInvariant();
}
