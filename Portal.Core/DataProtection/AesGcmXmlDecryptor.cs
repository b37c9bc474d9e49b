using System.Security.Cryptography;
using System.Text;
using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.XmlEncryption;
using Microsoft.Extensions.DependencyInjection;

namespace Portal.Core.DataProtection;

/// <summary>Decrypts what <see cref="AesGcmXmlEncryptor"/> wrote, with the current or a previous key-encryption key (Data Protection creates it by type, with the services).</summary>
public sealed class AesGcmXmlDecryptor(IServiceProvider services) : IXmlDecryptor
{
    private readonly KeyEncryptionKeys _keys = services.GetRequiredService<KeyEncryptionKeys>();

    public XElement Decrypt(XElement encryptedElement)
    {
        var ns = AesGcmXmlEncryptor.Namespace;
        var keyId = (string?)encryptedElement.Attribute("keyEncryptionKeyId") ?? throw new CryptographicException("The encrypted key names no key-encryption key.");
        if (!_keys.TryGet(keyId, out var key))
        {
            throw new CryptographicException(
                $"A Data Protection key was encrypted with key-encryption key {keyId}, which is neither '{KeyEncryptionKeys.CurrentSetting}' "
                + $"nor one of '{KeyEncryptionKeys.PreviousSetting}'.");
        }

        var nonce = Convert.FromBase64String((string?)encryptedElement.Element(ns + "nonce") ?? "");
        var ciphertext = Convert.FromBase64String((string?)encryptedElement.Element(ns + "ciphertext") ?? "");
        var tag = Convert.FromBase64String((string?)encryptedElement.Element(ns + "tag") ?? "");
        var plaintext = new byte[ciphertext.Length];
        try
        {
            using (var aes = new AesGcm(key, tag.Length))
            {
                aes.Decrypt(nonce, ciphertext, tag, plaintext, AesGcmXmlEncryptor.AssociatedData(keyId));
            }

            return XElement.Parse(Encoding.UTF8.GetString(plaintext));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
