using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Portal.Core.Proxy;

/// <summary>The SHA-256 of a presented key as four words: a dictionary key that costs no allocation.</summary>
public readonly struct KeyHash : IEquatable<KeyHash>
{
    public const int Size = 32;

    /// <summary>Longer values are refused before any hashing (keys are 51 characters).</summary>
    public const int MaxKeyLength = 200;

    // The platform's one-shot SHA256.HashData sets up an OpenSSL context on every call (about 250 ns more than the
    // hashing of a 51-byte key); a hasher kept per thread and reset by each hash pays that once.
    [ThreadStatic]
    private static IncrementalHash? t_sha256;

    private readonly ulong _a;
    private readonly ulong _b;
    private readonly ulong _c;
    private readonly ulong _d;

    public KeyHash(ReadOnlySpan<byte> hash)
    {
        if (hash.Length != Size)
        {
            throw new ArgumentException("A SHA-256 hash is 32 bytes.", nameof(hash));
        }

        _a = BinaryPrimitives.ReadUInt64LittleEndian(hash);
        _b = BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]);
        _c = BinaryPrimitives.ReadUInt64LittleEndian(hash[16..]);
        _d = BinaryPrimitives.ReadUInt64LittleEndian(hash[24..]);
    }

    /// <summary>Hashes <paramref name="key"/> (UTF-8, at most <see cref="MaxKeyLength"/> characters) on the stack.</summary>
    public static KeyHash Of(ReadOnlySpan<char> key)
    {
        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException("The key is too long.", nameof(key));
        }

        Span<byte> utf8 = stackalloc byte[MaxKeyLength * 3];
        var length = Encoding.UTF8.GetBytes(key, utf8);
        Span<byte> hash = stackalloc byte[Size];
        var sha256 = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha256.AppendData(utf8[..length]);
        sha256.GetHashAndReset(hash);
        return new KeyHash(hash);
    }

    public void CopyTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(destination, _a);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[8..], _b);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[16..], _c);
        BinaryPrimitives.WriteUInt64LittleEndian(destination[24..], _d);
    }

    public byte[] ToArray()
    {
        var bytes = new byte[Size];
        CopyTo(bytes);
        return bytes;
    }

    /// <summary>Lower-case hex, for Redis key names (never logged).</summary>
    public string ToHex()
    {
        Span<byte> bytes = stackalloc byte[Size];
        CopyTo(bytes);
        return Convert.ToHexStringLower(bytes);
    }

    /// <summary>Compares in constant time (no early exit on the first differing word).</summary>
    public bool FixedTimeEquals(in KeyHash other) =>
        ((_a ^ other._a) | (_b ^ other._b) | (_c ^ other._c) | (_d ^ other._d)) == 0;

    public bool Equals(KeyHash other) => FixedTimeEquals(other);

    public override bool Equals(object? obj) => obj is KeyHash other && Equals(other);

    // The hash is uniformly random already: its first word is a good dictionary hash.
    public override int GetHashCode() => (int)_a;

    public static bool operator ==(KeyHash left, KeyHash right) => left.Equals(right);

    public static bool operator !=(KeyHash left, KeyHash right) => !left.Equals(right);
}
