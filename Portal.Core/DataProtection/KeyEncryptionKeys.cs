using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;

namespace Portal.Core.DataProtection;

/// <summary>
/// The 256-bit keys that encrypt the Data Protection key ring (from a Kubernetes Secret): the current one encrypts new
/// keys, the previous ones still decrypt keys written before a rotation. Each is known by an id derived from it, kept in
/// the XML, so the right one is picked without trying them all.
/// </summary>
public sealed class KeyEncryptionKeys
{
    public const string CurrentSetting = "DataProtection:KeyEncryptionKey";
    public const string PreviousSetting = "DataProtection:PreviousKeyEncryptionKeys";

    private readonly Dictionary<string, byte[]> _byId = new(StringComparer.Ordinal);

    private KeyEncryptionKeys(byte[] current, IEnumerable<byte[]> previous)
    {
        CurrentId = IdOf(current);
        Current = current;
        _byId[CurrentId] = current;
        foreach (var key in previous)
        {
            _byId.TryAdd(IdOf(key), key);
        }
    }

    public string CurrentId { get; }

    internal byte[] Current { get; }

    /// <summary>The keys in the configuration; null when <c>DataProtection:KeyEncryptionKey</c> is not set.</summary>
    public static KeyEncryptionKeys? Read(IConfiguration configuration)
    {
        if (configuration[CurrentSetting] is not { Length: > 0 } current)
        {
            return null;
        }

        var previous = configuration.GetSection(PreviousSetting).GetChildren()
            .Where(c => !string.IsNullOrEmpty(c.Value))
            .Select(c => Decode(c.Value!, $"{PreviousSetting}:{c.Key}"));
        return new KeyEncryptionKeys(Decode(current, CurrentSetting), [.. previous]);
    }

    internal bool TryGet(string id, out byte[] key) => _byId.TryGetValue(id, out key!);

    /// <summary>Never names the value: it is a secret.</summary>
    private static byte[] Decode(string value, string setting)
    {
        var buffer = new byte[(value.Length * 3 / 4) + 3];
        return Convert.TryFromBase64String(value.Trim(), buffer, out var written) && written == 32
            ? buffer[..written]
            : throw new InvalidOperationException(
                $"Setting '{setting}' must be a base64-encoded 256-bit key (32 random bytes, e.g. from 'openssl rand -base64 32').");
    }

    private static string IdOf(byte[] key) => Convert.ToHexStringLower(SHA256.HashData(key).AsSpan(0, 8));
}
