using System.Buffers;
using System.Security.Cryptography;
using System.Text;
using Portal.Core.Applications;

namespace Portal.Core.ApiKeys;

/// <summary>
/// Key values: <c>pk_live_</c> / <c>sk_live_</c> for production, <c>pk_test_</c> / <c>sk_test_</c> otherwise, then
/// 32 random bytes in base62 (43 characters).
/// </summary>
public static class ApiKeyFormat
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

    private static readonly SearchValues<char> Base62 = SearchValues.Create(Alphabet);

    /// <summary>43 base62 characters carry at least 256 bits (62^43 &gt; 2^256).</summary>
    public const int RandomLength = 43;

    /// <summary>How much of a key is kept to show it: the prefix and four random characters.</summary>
    public const int DisplayRandomLength = 4;

    public static string Prefix(ApiKeyType type, ApplicationEnvironment environment) =>
        (type == ApiKeyType.Public ? "pk_" : "sk_") + (environment == ApplicationEnvironment.Production ? "live_" : "test_");

    public static string New(ApiKeyType type, ApplicationEnvironment environment)
    {
        var prefix = Prefix(type, environment);
        return string.Create(prefix.Length + RandomLength, prefix, static (span, prefix) =>
        {
            prefix.AsSpan().CopyTo(span);
            // GetItems draws each character uniformly, so there is no modulo bias.
            RandomNumberGenerator.GetItems(Alphabet, span[prefix.Length..]);
        });
    }

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    public static string Display(string key) => key[..(key.IndexOf('_', 3) + 1 + DisplayRandomLength)] + "…";

    /// <summary>Whether a presented value has a key's shape at all, before any lookup.</summary>
    public static bool LooksValid(ReadOnlySpan<char> key) =>
        key.Length == 8 + RandomLength
        && (key.StartsWith("pk_") || key.StartsWith("sk_"))
        && (key[3..8].SequenceEqual("live_") || key[3..8].SequenceEqual("test_"))
        && !key[8..].ContainsAnyExcept(Base62);
}
