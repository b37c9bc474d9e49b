using System.Security.Cryptography;

namespace Portal.Core;

/// <summary>Public identifiers: a type prefix and a random, URL-safe suffix (never sequential).</summary>
public static class Ids
{
    private const string Alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private const int SuffixLength = 22; // 22 base62 characters carry about 131 bits.

    public static string New(string prefix) =>
        string.Create(prefix.Length + 1 + SuffixLength, prefix, static (span, prefix) =>
        {
            prefix.AsSpan().CopyTo(span);
            span[prefix.Length] = '_';
            RandomNumberGenerator.GetItems(Alphabet, span[(prefix.Length + 1)..]);
        });
}
