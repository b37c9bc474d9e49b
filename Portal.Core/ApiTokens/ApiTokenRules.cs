using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.ApiTokens;

/// <summary>
/// Token secrets: a recognisable prefix (<c>asl_</c> for login sessions, <c>asp_</c> for personal tokens) and 43 random
/// base62 characters (about 256 bits); only their SHA-256 hash is stored.
/// </summary>
public static class ApiTokenRules
{
    public const string SessionPrefix = "asl_";
    public const string PersonalPrefix = "asp_";
    public const int MaxNameLength = 100;
    public const int MaxTokenLength = 64;

    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int SecretLength = 43;

    public static string NewSecret(ApiTokenKind kind)
    {
        var prefix = kind == ApiTokenKind.Session ? SessionPrefix : PersonalPrefix;
        return string.Create(prefix.Length + SecretLength, prefix, static (span, prefix) =>
        {
            prefix.AsSpan().CopyTo(span);
            RandomNumberGenerator.GetItems(Alphabet, span[prefix.Length..]);
        });
    }

    /// <summary>Whether a string looks like one of our tokens, so that anything else is refused before a query.</summary>
    public static bool LooksLikeToken(string? token) =>
        token is { Length: > 4 and <= MaxTokenLength }
        && (token.StartsWith(SessionPrefix, StringComparison.Ordinal) || token.StartsWith(PersonalPrefix, StringComparison.Ordinal));

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    public static string Hint(string token) => token[..Math.Min(token.Length, 10)];

    public static Failure? ValidateName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return Failure.Invalid("name", "Name the token after what will use it.");
        }

        return name.Trim().Length > MaxNameLength
            ? Failure.Invalid("name", $"A token name has at most {MaxNameLength} characters.")
            : TextRules.Validate(name, "name");
    }
}
